import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;

/**
 * java-threads: a concbench peer strategy (strategies/PROTOCOL.md) written
 * the way Java users write blocking code: a platform Thread per task (or an
 * ExecutorService of max_in_flight threads), Thread.sleep, and the blocking
 * HttpClient.send. OpenJDK 17 has no virtual threads.
 */
public final class ThreadsStrategy {
    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("--version")) {
            System.out.println(CbProto.runtimeVersion());
            return;
        }
        CbProto p = CbProto.open();
        IntConsumer work;
        if (p.kind.equals("sleep")) {
            work = k -> {
                try {
                    TimeUnit.NANOSECONDS.sleep(p.sleepNs);
                    p.value[k] = k;
                } catch (InterruptedException e) {
                    p.fail(k, e);
                }
            };
            p.policy.add("platform Thread per task, Thread.sleep");
        } else if (p.kind.equals("http")) {
            work = httpWork(p);
        } else {
            p.skip("unknown kind " + p.kind);
            return;
        }
        if (p.maxInFlight > 0) p.policy.add("at most " + p.maxInFlight + " in flight: Executors.newFixedThreadPool");
        final IntConsumer w = work;
        p.runAndExit(() -> {
            if (p.maxInFlight > 0) runPool(p, w);
            else runThreads(p, w);
        });
    }

    /** Task k in the thread that runs it: stamps around the work. */
    private static Runnable task(CbProto p, IntConsumer work, int k) {
        return () -> {
            p.started[k] = CbProto.now();
            work.accept(k);
            p.finished[k] = CbProto.now();
        };
    }

    /**
     * A Thread per task, then join them all. When the JVM cannot create a
     * thread (OutOfMemoryError: unable to create native thread), the tasks
     * left are failed as "spawn" and the ones started are joined.
     */
    private static void runThreads(CbProto p, IntConsumer work) throws InterruptedException {
        Thread[] threads = new Thread[p.n];
        int k = 0;
        try {
            for (; k < p.n; k++) {
                threads[k] = new Thread(task(p, work, k));
                threads[k].start();
            }
        } catch (OutOfMemoryError e) {
            threads[k] = null;
            p.limit(CbProto.describe(e) + " (at task " + k + ", " + Thread.activeCount() + " threads alive)");
            for (int j = k; j < p.n; j++) p.fail(j, e);
        }
        for (Thread t : threads) {
            if (t != null) t.join();
        }
    }

    /** A fixed pool of max_in_flight threads takes the tasks in order. */
    private static void runPool(CbProto p, IntConsumer work) throws InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(p.maxInFlight);
        int k = 0;
        try {
            for (; k < p.n; k++) pool.execute(task(p, work, k));
        } catch (OutOfMemoryError e) {
            p.limit(CbProto.describe(e) + " (at task " + k + ")");
            for (int j = k; j < p.n; j++) p.fail(j, e);
        }
        pool.shutdown();
        pool.awaitTermination(Long.MAX_VALUE, TimeUnit.NANOSECONDS);
    }

    /** A blocking GET with one shared HttpClient; the harness judges the body. */
    private static IntConsumer httpWork(CbProto p) {
        // HTTP/1.1 as the test server speaks: the default HTTP/2 would add
        // an h2c upgrade to every request. Connections stay alive in the
        // client's pool, which has no size limit by default.
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpRequest req = HttpRequest.newBuilder(URI.create(p.url))
                .timeout(Duration.ofNanos(p.timeoutNs)).GET().build();
        p.policy.add("platform Thread per task, java.net.http.HttpClient.send (HTTP/1.1, keep-alive pool, unbounded)");
        return k -> {
            try {
                HttpResponse<byte[]> r = client.send(req, HttpResponse.BodyHandlers.ofByteArray());
                byte[] body = r.body();
                p.status[k] = r.statusCode();
                p.bytes[k] = body.length;
                p.value[k] = CbProto.fnv1a(body);
            } catch (Exception | OutOfMemoryError e) {
                p.fail(k, e);
            }
        };
    }
}
