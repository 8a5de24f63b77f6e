/*
 * external.h: every strategy that is a program in another language, once.
 * They speak strategies/PROTOCOL.md; the registry, `concbench list`, the
 * tests and the benches read this list, as they read list.h for C.
 *
 * CB_EXTERNAL(name, summary, language, workloads, flags, package, version, command)
 *   summary    one line for `concbench list`: what the program does
 *   workloads  "sleep", "http" or "sleep,http": what the program implements
 *   flags      CB_ONE_AT_A_TIME: runs one task after another (budgets: N x D)
 *   package    the Debian package(s) that bring what it needs, for the
 *              `skipped` row of a machine that lacks them
 *   version    a shell command printing the runtime's version on one line
 *   command    the program's argv, split at spaces; a word starting with @
 *              is a path under concbench's root (CONCBENCH_ROOT, or the
 *              folder above build/)
 *
 * Usage: #define CB_EXTERNAL(name, summary, lang, workloads, flags, pkg, version, cmd) ...
 *        #include "external.h"
 */
#define CB_PY         "/usr/bin/python3"
#define CB_PY_VERSION "/usr/bin/python3 -c 'import sys; print(\"CPython\", sys.version.split()[0])'"

/* The article's own programs (strategies/python/). */
CB_EXTERNAL("py-sequential", "the article's loop: time.sleep / requests.get one after another",
            "python", "sleep,http", CB_ONE_AT_A_TIME, "python3 python3-requests", CB_PY_VERSION,
            CB_PY " @strategies/python/sequential.py")
CB_EXTERNAL("py-busyloop", "the article's Task class, polled in a loop until all are done",
            "python", "sleep", 0, "python3", CB_PY_VERSION, CB_PY " @strategies/python/busyloop.py")
CB_EXTERNAL("py-generators", "the article's generator-based event loop", "python", "sleep", 0,
            "python3", CB_PY_VERSION, CB_PY " @strategies/python/generators.py")
CB_EXTERNAL(
    "py-asyncio",
    "asyncio.gather of asyncio.sleep / one aiohttp session (default connector, 100 connections)",
    "python", "sleep,http", 0, "python3 python3-aiohttp", CB_PY_VERSION,
    CB_PY " @strategies/python/asyncio_gather.py")
CB_EXTERNAL("py-asyncio-nolimit", "py-asyncio with TCPConnector(limit=0): no connection cap",
            "python", "http", 0, "python3 python3-aiohttp", CB_PY_VERSION,
            CB_PY " @strategies/python/asyncio_gather.py --no-connection-limit")
CB_EXTERNAL("py-threads", "a threading.Thread per task (a ThreadPoolExecutor for a pool)", "python",
            "sleep,http", 0, "python3 python3-requests", CB_PY_VERSION,
            CB_PY " @strategies/python/threads.py")
CB_EXTERNAL("py-multiprocessing",
            "a multiprocessing.Process per task (a Pool for a pool), results through a queue",
            "python", "sleep,http", 0, "python3 python3-requests", CB_PY_VERSION,
            CB_PY " @strategies/python/multiprocessing_procs.py")

/* The runtimes users would pick instead (strategies/<language>/). */
CB_EXTERNAL("go-goroutines", "a goroutine per task (time.Sleep; net/http), sync.WaitGroup", "go",
            "sleep,http", 0, "golang-go", "@build/peers/go-goroutines --version",
            "@build/peers/go-goroutines")
CB_EXTERNAL("node-async", "Promise.all over setTimeout promises and http.get", "javascript",
            "sleep,http", 0, "nodejs", "/usr/bin/node --version",
            "/usr/bin/node @strategies/node/async.js")
CB_EXTERNAL("rust-tokio", "tokio::spawn per task (tokio::time::sleep; hyper client)", "rust",
            "sleep,http", 0, "cargo librust-tokio-dev librust-hyper-dev",
            "@build/peers/rust-tokio --version", "@build/peers/rust-tokio")
CB_EXTERNAL("java-threads", "a platform Thread per task (an ExecutorService for a pool)", "java",
            "sleep,http", 0, "openjdk-17-jdk-headless", "/usr/bin/java -version 2>&1 | head -1",
            "/usr/bin/java -cp @build/peers/java ThreadsStrategy")
CB_EXTERNAL("java-async", "CompletableFuture: delayed executor for sleeps, HttpClient.sendAsync",
            "java", "sleep,http", 0, "openjdk-17-jdk-headless",
            "/usr/bin/java -version 2>&1 | head -1",
            "/usr/bin/java -cp @build/peers/java AsyncStrategy")

#undef CB_PY
#undef CB_PY_VERSION
#undef CB_EXTERNAL
