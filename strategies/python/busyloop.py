"""py-busyloop: the article's concurrent sleeps without coroutines. Every
Task knows its own deadline and run() only looks at the clock; wait() asks
every pending task, again and again, until all are ready, burning a core.

The article reads time.time(); here the clock is time.monotonic_ns(), the
protocol's, so each slot's times are the ones the task itself compared.
"""
import time

import cbproto


class Task:
    def __init__(self, duration, id_):
        self.ready = False
        self.started = time.monotonic_ns()
        self.threshold = self.started + duration
        self.result = None
        self.id_ = id_

    def run(self):
        now = time.monotonic_ns()
        if now >= self.threshold:
            self.ready = True
            self.result = cbproto.slept(self.id_, self.started, now, self.id_)


def wait(tasks):
    original_tasks = list(tasks)
    pending = set(original_tasks)
    while pending:
        for task in list(pending):
            task.run()
            if task.ready:
                pending.remove(task)
    return [t.result for t in original_tasks]


def program(run):
    run.policy = "the article's Task objects polled in a loop until all are ready"
    run.go()
    tasks = [Task(duration=run.sleep_ns, id_=i) for i in range(run.n)]
    run.results = wait(tasks)
    run.done()


if __name__ == "__main__":
    cbproto.main(program, kinds={"sleep"}, pool=False)
