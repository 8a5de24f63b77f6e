"""cbproto: concbench's external-strategy protocol (strategies/PROTOCOL.md), once,
for every Python strategy in this folder.

A program reads like this:

    def program(run):                       # run.kind, run.n, run.sleep_s, run.url ...
        requests = run.need("requests", "python3-requests")   # or a skip line, exit 0
        run.policy = "..."                  # what the program chose, in words
        run.go()                            # "ready", wait for "go", take t0
        ... run the tasks; slot k gets slept(), fetched() or failed() ...
        run.done()                          # take t1

    cbproto.main(program, kinds={"sleep", "http"})

main() writes the task lines, `policy`, one `limit` line per kind of limit
that stopped tasks, and `end`. An exception that escapes the program after
go() (a MemoryError while creating a million tasks) fails every slot the
program had not filled, and its limit line says so. (One case escapes: a
MemoryError inside CPython's own exception handling aborts the interpreter,
"Fatal Python error: Cannot recover from MemoryErrors"; the harness sees
a crash with that line.)

Every time is CLOCK_MONOTONIC in nanoseconds, time.monotonic_ns(): the
clock is system-wide, so a child process's readings compare with ours.

Environment:
  CB_RESULT_FD  the result descriptor (default 3)
  CB_PY_HIDE    comma-separated module names need() pretends are missing, so
                a test can see the `skipped` row of a machine without them:
                CB_PY_HIDE=aiohttp,requests
"""
import collections
import errno
import mmap
import os
import sys
import time

PROTOCOL_VERSION = "1"

# One task's slot. value: sleep, what the task returned (its index);
# http, the FNV-1a 64 of the body as received; None for a failed task.
Result = collections.namedtuple(
    "Result", "k started finished error status nbytes value detail")

FNV_OFFSET = 0xcbf29ce484222325
FNV_PRIME = 0x100000001b3


def fnv1a64(data, h=FNV_OFFSET):
    """FNV-1a 64 of bytes, as strategies/body.h computes it."""
    for b in data:
        h = ((h ^ b) * FNV_PRIME) & 0xFFFFFFFFFFFFFFFF
    return h


def slept(k, started, finished, value):
    """A sleep task that returned value (its own index when all is well)."""
    return Result(k, started, finished, "ok", 0, 0, value, "")


def fetched(k, started, finished, status, body, content_length):
    """An HTTP task that received status and body. The body is not judged
    here (the harness checks status, length and checksum); only a body
    shorter than its Content-Length is bad_body, as the client saw it cut."""
    error, detail = "ok", ""
    if content_length is not None and len(body) < int(content_length):
        error, detail = "bad_body", "%d of %s bytes" % (len(body), content_length)
    return Result(k, started, finished, error, status, len(body), fnv1a64(body), detail)


def failed(k, started, finished, exc, status=0):
    """A task that raised exc (or could not be started: started == 0)."""
    error, detail = classify(exc)
    return Result(k, started, finished, error, status, 0, None, detail)


def start_each(run, make, errors):
    """Start make(k) (a Thread, a Process) for every task k in turn. When
    one cannot start (it raises one of errors), that task and every later
    one fail with the reason and the loop stops: the others run. Returns
    the started ones."""
    started = []
    for k in range(run.n):
        worker = make(k)
        try:
            worker.start()
        except errors as e:
            for j in range(k, run.n):
                run.results[j] = failed(j, 0, 0, e)
            break
        started.append(worker)
    return started


# errno of an OSError anywhere in the chain -> error name.
_BY_ERRNO = {
    errno.ECONNREFUSED: "refused",
    errno.ECONNRESET: "reset",
    errno.EPIPE: "reset",
    errno.ECONNABORTED: "reset",
    errno.EMFILE: "emfile",
    errno.ENFILE: "emfile",
    errno.EADDRNOTAVAIL: "eaddrnotavail",
    errno.ETIMEDOUT: "timeout",
    errno.EAGAIN: "spawn",  # fork(), clone(): out of processes or threads
    errno.ENOMEM: "nomem",
}
# Class names anywhere in an exception's MRO -> error name, for libraries
# this module does not import (aiohttp, requests, urllib3); asked only when
# no errno answered. urllib3's NewConnectionError is a subclass of its
# ConnectTimeoutError whatever the cause (refused, unknown host), so it says
# nothing (None): the exception it wraps does.
_BY_NAME = (
    ("NewConnectionError", None),
    ("MemoryError", "nomem"),
    ("gaierror", "resolve"),
    ("ServerDisconnectedError", "reset"),   # aiohttp: closed before a response
    ("ClientPayloadError", "bad_body"),     # aiohttp: body cut short
    ("IncompleteRead", "bad_body"),         # http.client, urllib3
    ("ChunkedEncodingError", "bad_body"),   # requests: body cut short
    ("RemoteDisconnected", "reset"),        # http.client: closed before a response
    ("TimeoutError", "timeout"),            # builtin = asyncio's and socket's (3.11)
    ("Timeout", "timeout"),                 # requests.Timeout
)
# The errors that mean the machine ran out of something: a `limit` line.
LIMITS = ("spawn", "emfile", "nomem", "eaddrnotavail")


def _chain(exc):
    """exc and every exception it wraps, outermost first (at most 16)."""
    seen, todo = [], [exc]
    while todo and len(seen) < 16:
        e = todo.pop(0)
        if not isinstance(e, BaseException) or any(e is s for s in seen):
            continue
        seen.append(e)
        # aiohttp keeps the OSError in .os_error, urllib3 in .reason,
        # requests and urllib3 also pass it along in args.
        todo += [getattr(e, "os_error", None), getattr(e, "reason", None),
                 e.__cause__, e.__context__]
        todo += [a for a in e.args if isinstance(a, BaseException)]
    return seen


def _words(e):
    words = "%s: %s" % (type(e).__name__, e) if str(e) else type(e).__name__
    return words.replace("\n", " ")[:300]


def classify(exc):
    """(error name, detail) for an exception. For a limit the detail is the
    runtime's own words for the cause, e.g. "OSError: [Errno 24] Too many
    open files" or "RuntimeError: can't start new thread"; otherwise the
    exception as raised."""
    chain = _chain(exc)
    for e in chain:
        if isinstance(e, OSError) and e.errno in _BY_ERRNO:
            error = _BY_ERRNO[e.errno]
            if error in LIMITS:
                return error, "OSError: [Errno %d] %s" % (e.errno, os.strerror(e.errno))
            return error, _words(exc)
    for e in chain:
        if isinstance(e, RuntimeError) and "can't start new thread" in str(e):
            return "spawn", _words(e)
    for e in chain:
        names = {c.__name__ for c in type(e).__mro__}
        error = next((error for name, error in _BY_NAME if name in names), None)
        if error:
            return error, _words(e if error in LIMITS else exc)
    return "other", _words(exc)


class Run:
    """The spec of this run, the result descriptor, and what goes back."""

    def __init__(self, kinds, pool):
        line = sys.stdin.readline().split()
        if len(line) < 2 or line[0] != "concbench-spec" or line[1] != PROTOCOL_VERSION:
            sys.exit("cbproto: not a concbench-spec %s line: %r" % (PROTOCOL_VERSION, line))
        spec = dict(kv.split("=", 1) for kv in line[2:] if "=" in kv)
        self.out = os.fdopen(int(os.environ.get("CB_RESULT_FD", "3")), "w")
        self.kind = spec["kind"]
        self.n = int(spec["n"])
        self.max_in_flight = int(spec.get("max_in_flight", "0"))
        self.sleep_ns = int(spec.get("sleep_ns", "0"))
        self.sleep_s = self.sleep_ns / 1e9
        self.timeout_s = int(spec.get("timeout_ns", "0")) / 1e9 or None
        self.url = spec.get("url", "-")
        self.policy = ""
        self.t0 = self.t1 = 0
        self.results = [None] * self.n
        self.failure = None  # (error, detail) of what stopped the program
        if self.kind not in kinds:
            self.skip("%s workload not implemented" % self.kind)
        if self.max_in_flight and not pool:
            self.skip("max_in_flight not implemented")

    def skip(self, why):
        """Say `skip why` instead of ready and exit 0."""
        self.out.write("skip %s\n" % why)
        self.out.flush()
        sys.exit(0)

    def need(self, module, package):
        """Import module, or skip naming the Debian package that brings it."""
        if module in os.environ.get("CB_PY_HIDE", "").split(","):
            self.skip("%s is not installed (hidden by CB_PY_HIDE)" % package)
        try:
            return __import__(module)
        except ImportError as e:
            self.skip("%s is not installed (%s)" % (package, e))

    def go(self):
        """Say ready, wait for go (EOF instead: exit 0 at once), take t0."""
        self.out.write("ready\n")
        self.out.flush()
        if sys.stdin.readline().strip() != "go":
            os._exit(0)
        self.t0 = time.monotonic_ns()

    def done(self):
        """The last task is done: take t1."""
        self.t1 = time.monotonic_ns()

    def finish(self):
        """Write every slot, policy, limits and end. A slot the program left
        empty is failed with self.failure, if the program raised one, or
        left out (the harness counts a missing line as not_run)."""
        out, http = self.out, self.kind == "http"
        empty = FNV_OFFSET if http else 0  # a failed task's value: nothing received
        first = {}  # limit error -> [first task, count, detail]
        started = 0
        for k, r in enumerate(self.results):
            if r is None:
                if not self.failure:
                    continue
                r = Result(k, 0, 0, self.failure[0], 0, 0, None, self.failure[1])
            started += r.started != 0
            value = empty if r.value is None else r.value
            out.write("task %d %d %d %s %d %d %s%s\n" % (
                r.k, r.started, r.finished, r.error, r.status, r.nbytes,
                "%016x" % value if http else "%d" % value,
                " " + r.detail if r.detail else ""))
            if r.error in LIMITS:
                first.setdefault(r.error, [r.k, 0, r.detail])[1] += 1
        if self.policy:
            out.write("policy %s\n" % self.policy)
        for k, count, detail in first.values():
            out.write("limit %s (at task %d; %d tasks failed so)\n" % (detail, k, count))
        out.write("end %d %d %d\n" % (self.t0, self.t1, started))
        out.flush()


def main(program, kinds, pool=True):
    """Read the spec, run program(run), write the results. kinds: the
    workloads the program implements; pool: whether it implements
    max_in_flight (if not, such a spec is skipped)."""
    run = Run(kinds, pool)
    # Address space set aside (mapped, never touched: no memory) and given
    # back when the program fails, so that a MemoryError can be reported.
    reserve = mmap.mmap(-1, 32 << 20)
    try:
        program(run)
    except Exception as e:  # MemoryError included: every slot is still reported
        reserve.close()
        if not run.t0:
            raise  # before go: a broken program, let the harness see it fail
        run.t1 = run.t1 or time.monotonic_ns()
        run.failure = classify(e)
    # Leaving the except clause dropped the exception, its traceback and the
    # frames that held the program's tasks: their memory is free again.
    run.finish()
