"""gunicorn settings concbench adds (gunicorn -c): every worker dies with its
master, as the C server's prefork workers do, so that nothing outlives the
harness even when the master is killed (SIGKILL leaves it no time to stop
its workers)."""
import ctypes
import os
import signal

PR_SET_PDEATHSIG = 1


def post_fork(server, worker):
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
    # The master may have died between fork and prctl: then no signal
    # will come, and the worker must go now.
    if os.getppid() != server.pid:
        os._exit(0)
