"""fastapi_app.py: the article's non-blocking server, for real: a FastAPI
(ASGI) app, run by uvicorn, that awaits asyncio.sleep for the latency.
Paths and body as harness/server/py/cbserver.py says."""
import asyncio

from fastapi import FastAPI, Request, Response

import cbserver

app = FastAPI()


@app.api_route("/{path:path}", methods=["GET", "HEAD"])
async def serve(path: str, request: Request):
    try:
        latency, nbytes, status = cbserver.parse(path, request.query_params.multi_items())
    except cbserver.BadRequest as e:
        return Response("bad request: %s\n" % e, status_code=400, media_type="text/plain")
    if latency > 0:
        await asyncio.sleep(latency)
    return Response(cbserver.body(nbytes), status_code=status, headers=cbserver.headers(nbytes))
