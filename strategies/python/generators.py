"""py-generators: the article's event loop of plain generators. Each sleep
yields until its deadline has passed; the loop send()s to every pending
generator until each has returned.

As the article writes it: the loop removes a finished generator from the
list it is iterating over (so it skips the next one until the next pass),
and list.remove is linear. The article reads time.time(); here the clock
is time.monotonic_ns(), the protocol's, and a generator returns its id
with the times it compared.
"""
import time

import cbproto


def sleep(duration, id_):
    started = now = time.monotonic_ns()
    threshold = now + duration
    while now < threshold:
        yield
        now = time.monotonic_ns()
    return cbproto.slept(id_, started, now, id_)


def event_loop(tasks):
    pending = list(tasks)
    tasks = {task: None for task in tasks}
    while pending:
        for gen in pending:
            try:
                tasks[gen] = gen.send(tasks[gen])
            except StopIteration as e:
                tasks[gen] = e.args[0]
                pending.remove(gen)
    return list(tasks.values())


def program(run):
    run.policy = "the article's generator event loop (send() to each pending generator)"
    run.go()
    tasks = [sleep(run.sleep_ns, i) for i in range(run.n)]
    run.results = event_loop(tasks)
    run.done()


if __name__ == "__main__":
    cbproto.main(program, kinds={"sleep"}, pool=False)
