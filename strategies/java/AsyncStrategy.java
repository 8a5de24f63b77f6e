import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * java-async: a concbench peer strategy (strategies/PROTOCOL.md) written the
 * way Java users write non-blocking code: a CompletableFuture per task,
 * joined with CompletableFuture.allOf; the sleep is a CompletableFuture
 * completed by a ScheduledExecutorService, the GET is HttpClient.sendAsync.
 * max_in_flight: W chains, each starting the next task when one completes.
 */
public final class AsyncStrategy {
    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("--version")) {
            System.out.println(CbProto.runtimeVersion());
            return;
        }
        CbProto p = CbProto.open();
        IntFunction<CompletableFuture<Void>> work;
        if (p.kind.equals("sleep")) {
            ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
            work = k -> {
                CompletableFuture<Void> done = new CompletableFuture<>();
                timer.schedule(() -> done.complete(null), p.sleepNs, TimeUnit.NANOSECONDS);
                return done.thenRun(() -> p.value[k] = k);
            };
            p.policy.add("CompletableFuture per task, allOf; sleep completed by a one-thread ScheduledExecutorService");
        } else if (p.kind.equals("http")) {
            // HTTP/1.1 as the test server speaks (HTTP/2 would add an h2c
            // upgrade); the client's default executor and unbounded pool.
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            HttpRequest req = HttpRequest.newBuilder(URI.create(p.url))
                    .timeout(Duration.ofNanos(p.timeoutNs)).GET().build();
            work = k -> client.sendAsync(req, HttpResponse.BodyHandlers.ofByteArray())
                    .thenAccept(r -> {
                        p.status[k] = r.statusCode();
                        p.bytes[k] = r.body().length;
                        p.value[k] = CbProto.fnv1a(r.body());
                    });
            p.policy.add("CompletableFuture per task, allOf; HttpClient.sendAsync (HTTP/1.1, keep-alive pool, unbounded)");
        } else {
            p.skip("unknown kind " + p.kind);
            return;
        }
        if (p.maxInFlight > 0) p.policy.add("at most " + p.maxInFlight + " in flight: chains of CompletableFutures");
        final IntFunction<CompletableFuture<Void>> w = work;
        p.runAndExit(() -> {
            if (p.maxInFlight > 0) runChains(p, w);
            else runAll(p, w);
        });
    }

    /** Task k: stamps its start, and its finish when its future completes, failed or not. */
    private static CompletableFuture<Void> task(CbProto p, IntFunction<CompletableFuture<Void>> work, int k) {
        p.started[k] = CbProto.now();
        CompletableFuture<Void> f;
        try {
            f = work.apply(k);
        } catch (RuntimeException | OutOfMemoryError e) {
            f = CompletableFuture.failedFuture(e);
        }
        return f.handle((ok, e) -> {
            if (e != null) p.fail(k, e);
            p.finished[k] = CbProto.now();
            return null;
        });
    }

    private static void runAll(CbProto p, IntFunction<CompletableFuture<Void>> work) {
        CompletableFuture<?>[] all = new CompletableFuture<?>[p.n];
        for (int k = 0; k < p.n; k++) all[k] = task(p, work, k);
        CompletableFuture.allOf(all).join();
    }

    /** W chains: each completion starts the next index until none is left. */
    private static void runChains(CbProto p, IntFunction<CompletableFuture<Void>> work) {
        AtomicInteger next = new AtomicInteger();
        CompletableFuture<?>[] chains = new CompletableFuture<?>[p.maxInFlight];
        for (int i = 0; i < chains.length; i++) {
            CompletableFuture<Void> chain = new CompletableFuture<>();
            chains[i] = chain;
            startNext(p, work, next, chain);
        }
        CompletableFuture.allOf(chains).join();
    }

    private static void startNext(CbProto p, IntFunction<CompletableFuture<Void>> work, AtomicInteger next,
                                  CompletableFuture<Void> chain) {
        int k = next.getAndIncrement();
        if (k >= p.n) {
            chain.complete(null);
            return;
        }
        task(p, work, k).thenRun(() -> startNext(p, work, next, chain));
    }
}
