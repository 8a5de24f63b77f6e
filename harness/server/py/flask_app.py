"""flask_app.py: the article's blocking server, for real: a Flask (WSGI) app,
run by gunicorn's sync worker, that blocks in time.sleep for the latency.
Paths and body as harness/server/py/cbserver.py says."""
import time

from flask import Flask, Response, request

import cbserver

app = Flask(__name__)


@app.route("/", defaults={"path": ""})
@app.route("/<path:path>")
def serve(path):
    try:
        latency, nbytes, status = cbserver.parse(path, request.args.items(multi=True))
    except cbserver.BadRequest as e:
        return Response("bad request: %s\n" % e, status=400, mimetype="text/plain")
    if latency > 0:
        time.sleep(latency)
    return Response(cbserver.body(nbytes), status=status, headers=cbserver.headers(nbytes))
