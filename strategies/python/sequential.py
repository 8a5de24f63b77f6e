"""py-sequential: the article's first programs, one task after another.

    for i in range(3):
        time.sleep(3)

    for i in range(5):
        _ = requests.get("https://www.bmat.com/")

One task at a time has no use for max_in_flight: it is accepted and ignored.
"""
import cbproto
import blocking


def program(run):
    if run.kind == "http":
        requests = run.need("requests", "python3-requests")
        run.policy = "requests.get in a loop (requests %s)" % requests.__version__
    else:
        run.policy = "time.sleep in a loop"
    run.go()
    for i in range(run.n):
        if run.kind == "sleep":
            run.results[i] = blocking.sleep(i, run.sleep_s)
        else:
            run.results[i] = blocking.get(requests, i, run.url, run.timeout_s)
    run.done()


if __name__ == "__main__":
    cbproto.main(program, kinds={"sleep", "http"})
