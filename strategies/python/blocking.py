"""blocking: the article's two blocking operations as one task each, shared
by the programs that run blocking tasks (sequential, threads, processes).

Each returns task k's slot and never raises: a failure is in the slot.
"""
import time

import cbproto


def sleep(k, seconds):
    """time.sleep(seconds), then the slot of task k, which returns k."""
    started = time.monotonic_ns()
    time.sleep(seconds)
    return cbproto.slept(k, started, time.monotonic_ns(), k)


def get(requests, k, url, timeout):
    """requests.get(url), as the article calls it (a new Session and
    connection each time), then the slot of task k."""
    started = time.monotonic_ns()
    try:
        response = requests.get(url, timeout=timeout)
    except Exception as e:  # the body is read inside get(): its errors too
        return cbproto.failed(k, started, time.monotonic_ns(), e)
    return cbproto.fetched(k, started, time.monotonic_ns(), response.status_code,
                           response.content, response.headers.get("Content-Length"))
