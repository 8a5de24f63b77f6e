"""py-multiprocessing: a multiprocessing.Process per task, all started, then
all results read and all processes joined; with max_in_flight W, a
multiprocessing.Pool(W) and Pool.map. Memory is not shared, so, as the
article says, every result is serialised: each child pickles its slot into
one multiprocessing.Queue (Pool.map pickles them back the same way).

The start method is Linux's default, fork. A process that cannot be started
(fork's EAGAIN, EMFILE for its pipes, ENOMEM) stops the start loop: that
task and every later one fail, the others run.
"""
import multiprocessing
import queue
import time

import blocking
import cbproto

# What work() runs, set before the first fork so every child has it.
RUN = None
REQUESTS = None


def work(k):
    if RUN.kind == "sleep":
        return blocking.sleep(k, RUN.sleep_s)
    return blocking.get(REQUESTS, k, RUN.url, RUN.timeout_s)


def child(k, results):
    results.put(work(k))


def one_process_each(run):
    results = multiprocessing.Queue()
    processes = cbproto.start_each(
        run, lambda k: multiprocessing.Process(target=child, args=(k, results)), (OSError, MemoryError)
    )
    # One result per started process. A child that died without sending
    # one would block get() for ever: wait at most a task's own bound.
    patience = run.sleep_s + (run.timeout_s or 60) + 10
    for _ in processes:
        try:
            r = results.get(timeout=patience)
        except queue.Empty:
            break
        run.results[r.k] = r
    for process in processes:
        process.join()
    for k, process in enumerate(processes):
        if run.results[k] is None:
            why = RuntimeError("child exited with %s and sent no result" % process.exitcode)
            run.results[k] = cbproto.failed(k, 0, 0, why)


def program(run):
    global RUN, REQUESTS
    RUN = run
    if run.kind == "http":
        REQUESTS = run.need("requests", "python3-requests")
    task = "time.sleep" if run.kind == "sleep" else "requests.get"
    method = multiprocessing.get_start_method()
    if run.max_in_flight:
        run.policy = "multiprocessing.Pool(%d).map of %s, start method %s" % (
            run.max_in_flight, task, method)
    else:
        run.policy = ("a multiprocessing.Process per %s, start method %s, "
                      "results pickled through a multiprocessing.Queue" % (task, method))
    run.go()
    if run.max_in_flight:
        with multiprocessing.Pool(run.max_in_flight) as pool:
            run.results = pool.map(work, range(run.n))
    else:
        one_process_each(run)
    run.done()


if __name__ == "__main__":
    cbproto.main(program, kinds={"sleep", "http"})
