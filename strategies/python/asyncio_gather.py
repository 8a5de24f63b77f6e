"""py-asyncio: the article's asyncio programs.

Sleeps: asyncio.gather of one `async def sleep` coroutine per task, each
awaiting asyncio.sleep. HTTP: one aiohttp.ClientSession, one `fetch`
coroutine per URL, asyncio.gather(..., return_exceptions=True), with the
session's default connector, which holds at most 100 connections (limit=100).

  --no-connection-limit  the session's connector is TCPConnector(limit=0)
max_in_flight W: every task first takes an asyncio.Semaphore(W).
"""
import asyncio
import contextlib
import sys
import time

import cbproto


async def sleep(duration, id_):
    started = time.monotonic_ns()
    await asyncio.sleep(duration)
    return cbproto.slept(id_, started, time.monotonic_ns(), id_)


async def fetch(session, url, k):
    started, status = time.monotonic_ns(), 0
    try:
        async with session.get(url) as response:
            status = response.status
            body = await response.read()
    except Exception as e:
        return cbproto.failed(k, started, time.monotonic_ns(), e, status)
    return cbproto.fetched(k, started, time.monotonic_ns(), status, body,
                           response.content_length)


async def limited(limit, coro):
    async with limit:
        return await coro


async def main(run, aiohttp, no_limit):
    limit = asyncio.Semaphore(run.max_in_flight) if run.max_in_flight else None
    session = contextlib.nullcontext()
    if run.kind == "http":
        connector = aiohttp.TCPConnector(limit=0) if no_limit else None
        timeout = aiohttp.ClientTimeout(total=run.timeout_s)
        session = aiohttp.ClientSession(connector=connector, timeout=timeout)
    async with session:
        run.go()
        if run.kind == "sleep":
            tasks = [sleep(run.sleep_s, i) for i in range(run.n)]
        else:
            tasks = [fetch(session, run.url, i) for i in range(run.n)]
        if limit:
            tasks = [limited(limit, t) for t in tasks]
        results = await asyncio.gather(*tasks, return_exceptions=True)
        run.done()
    for k, r in enumerate(results):
        # return_exceptions=True: whatever fetch() did not catch itself.
        run.results[k] = cbproto.failed(k, 0, 0, r) if isinstance(r, BaseException) else r


def program(run):
    no_limit = "--no-connection-limit" in sys.argv[1:]
    aiohttp, policy = None, ["asyncio.gather"]
    if run.kind == "sleep":
        policy = ["asyncio.gather of asyncio.sleep coroutines"]
    else:
        aiohttp = run.need("aiohttp", "python3-aiohttp")
        policy.append("one aiohttp %s ClientSession" % aiohttp.__version__)
        policy.append("TCPConnector(limit=0): no connection limit" if no_limit
                      else "default connector (limit=100)")
    if run.max_in_flight:
        policy.append("asyncio.Semaphore(%d)" % run.max_in_flight)
    run.policy = ", ".join(policy)
    asyncio.run(main(run, aiohttp, no_limit))


if __name__ == "__main__":
    cbproto.main(program, kinds={"sleep", "http"})
