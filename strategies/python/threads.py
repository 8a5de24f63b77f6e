"""py-threads: a threading.Thread per task, all started, then all joined;
with max_in_flight W, a concurrent.futures.ThreadPoolExecutor(W). Each
thread runs the blocking task (time.sleep, requests.get) under the GIL,
which a thread gives up while it sleeps or waits on its socket.

threading.stack_size() is left at its default (0: the pthread default,
RLIMIT_STACK), as a program that does not think about it has it. A thread
that cannot be started ("RuntimeError: can't start new thread") stops the
start loop: that task and every later one fail as spawn, the others run.
"""
import concurrent.futures
import functools
import resource
import threading

import blocking
import cbproto


def stack_policy():
    soft = resource.getrlimit(resource.RLIMIT_STACK)[0]
    size = "unlimited" if soft == resource.RLIM_INFINITY else "%d KiB" % (soft // 1024)
    return "threading.stack_size() default (RLIMIT_STACK %s)" % size


def program(run):
    if run.kind == "http":
        requests = run.need("requests", "python3-requests")
        work = functools.partial(blocking.get, requests, url=run.url, timeout=run.timeout_s)
        task = "requests.get"
    else:
        work = functools.partial(blocking.sleep, seconds=run.sleep_s)
        task = "time.sleep"
    if run.max_in_flight:
        run.policy = "ThreadPoolExecutor(%d) of %s, %s" % (
            run.max_in_flight, task, stack_policy())
    else:
        run.policy = "a threading.Thread per %s, %s" % (task, stack_policy())

    def store(k):
        run.results[k] = work(k)

    run.go()
    if run.max_in_flight:
        with concurrent.futures.ThreadPoolExecutor(run.max_in_flight) as pool:
            run.results = list(pool.map(work, range(run.n)))
    else:
        threads = cbproto.start_each(
            run, lambda k: threading.Thread(target=store, args=(k,)), (RuntimeError, MemoryError)
        )
        for thread in threads:
            thread.join()
    run.done()


if __name__ == "__main__":
    cbproto.main(program, kinds={"sleep", "http"})
