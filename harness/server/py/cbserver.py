"""cbserver.py: what flask_app.py and fastapi_app.py share with each other
and with concbench's C test server (harness/server/server.h): the request's
parameters, the body and its X-Checksum.

  /delay/<ms> or ?ms=<ms>   wait ms milliseconds (fraction up to 6 digits),
                            at most a day
  ?bytes=<n>                a body of n bytes, at most BYTES_MAX
  ?status=<code>            answer with this status (200..599)
Byte i of a body is 'A' + i % 61; X-Checksum is FNV-1a 64 of the body in 16
lowercase hex digits (strategies/body.h). ?reset= is not supported here
(400). A bad number is 400, as in the C server.

The harness passes the defaults in the environment: CB_SRV_LATENCY_NS and
CB_SRV_BODY_BYTES (decimal integers).
"""
import functools
import os

LATENCY_MAX_MS = 86_400_000
# Pure Python sums about 10 MB/s: 16 MiB is the first answer's 2 s at most.
BYTES_MAX = 1 << 24
PERIOD = 61
_PATTERN = bytes(65 + i % PERIOD for i in range(PERIOD))
_FNV_OFFSET = 0xCBF29CE484222325
_FNV_PRIME = 0x100000001B3
_MASK = (1 << 64) - 1

DEFAULT_LATENCY_S = int(os.environ.get("CB_SRV_LATENCY_NS", "1000000000")) / 1e9
DEFAULT_BYTES = int(os.environ.get("CB_SRV_BODY_BYTES", "64"))


class BadRequest(Exception):
    """The request asks for something malformed or out of bounds: 400."""


def _digits(s, limit):
    if not s.isdigit() or not s.isascii():
        raise BadRequest("not a number: %r" % s)
    v = int(s)
    if v > limit:
        raise BadRequest("%s is over the bound %d" % (s, limit))
    return v


def _ms(s):
    whole, dot, frac = s.partition(".")
    ms = _digits(whole, LATENCY_MAX_MS)
    if dot:
        if not 1 <= len(frac) <= 6:
            raise BadRequest("bad fraction: %r" % s)
        ms += _digits(frac, 999999) / 10 ** len(frac)
    if ms > LATENCY_MAX_MS:
        raise BadRequest("latency over a day")
    return ms / 1000.0


def parse(path, query):
    """(latency_s, nbytes, status) for a path and a list of (key, value)
    query pairs; raises BadRequest."""
    latency, nbytes, status = DEFAULT_LATENCY_S, DEFAULT_BYTES, 200
    path = "/" + path.lstrip("/")
    if path.startswith("/delay/") and len(path) > 7:
        latency = _ms(path[7:])
    for key, value in query:
        key = key.lower()
        if key == "ms":
            latency = _ms(value)
        elif key == "bytes":
            nbytes = _digits(value, BYTES_MAX)
        elif key == "status":
            status = _digits(value, 599)
            if status < 200:
                raise BadRequest("status below 200")
        elif key == "reset":
            raise BadRequest("reset= is not supported by the Python servers")
    if status in (204, 304):
        nbytes = 0  # no body by definition (RFC 9110 6.4.1)
    return latency, nbytes, status


def body(n):
    """The first n bytes of every body."""
    return (_PATTERN * (n // PERIOD + 1))[:n]


@functools.lru_cache(maxsize=64)
def checksum(n):
    """X-Checksum of a body of n bytes: FNV-1a 64, 16 lowercase hex digits."""
    h = _FNV_OFFSET
    for b in body(n):
        h = ((h ^ b) * _FNV_PRIME) & _MASK
    return "%016x" % h


def headers(n):
    """The headers every response carries besides Content-Length."""
    return {"X-Checksum": checksum(n), "Content-Type": "application/octet-stream"}
