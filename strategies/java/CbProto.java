import com.sun.management.HotSpotDiagnosticMXBean;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;

/**
 * The concbench external-strategy protocol (strategies/PROTOCOL.md, version
 * 1) for Java, in one place: read the spec, say ready, wait for go, hold the
 * result slots, write one line per task and the end line.
 *
 * <p>Times are System.nanoTime(), which HotSpot reads from CLOCK_MONOTONIC on
 * Linux: the clock the harness reads.
 *
 * <p>Slot k is written only by the task that runs index k; the joins
 * (Thread.join, ExecutorService.awaitTermination, CompletableFuture.join)
 * order those writes before report().
 */
final class CbProto {
    final String kind;
    final int n;
    final int maxInFlight;
    final long sleepNs;
    final long timeoutNs;
    final String url;

    final long[] started;
    final long[] finished;
    final String[] error; // null: ok
    final int[] status;
    final long[] bytes;
    final long[] value;
    final String[] detail;

    final List<String> policy = new ArrayList<>();
    private final List<String> limits = new ArrayList<>();
    private final BufferedReader stdin;
    private final Writer out;

    private CbProto(String line, BufferedReader stdin, Writer out) {
        this.stdin = stdin;
        this.out = out;
        String[] f = line == null ? new String[0] : line.trim().split(" ");
        if (f.length < 2 || !f[0].equals("concbench-spec") || !f[1].equals("1")) {
            System.err.println("java: bad spec line: " + line);
            System.exit(2);
        }
        String k = "", u = "";
        long nn = 0, w = 0, s = 0, t = 60_000_000_000L;
        for (int i = 2; i < f.length; i++) {
            int eq = f[i].indexOf('=');
            if (eq < 0) continue;
            String key = f[i].substring(0, eq), v = f[i].substring(eq + 1);
            switch (key) {
                case "kind" -> k = v;
                case "url" -> u = v;
                case "n" -> nn = Long.parseLong(v);
                case "max_in_flight" -> w = Long.parseLong(v);
                case "sleep_ns" -> s = Long.parseLong(v);
                case "timeout_ns" -> t = Long.parseLong(v);
                default -> { }
            }
        }
        if (nn < 1 || nn > Integer.MAX_VALUE - 8) {
            System.err.println("java: bad n in: " + line);
            System.exit(2);
        }
        kind = k;
        url = u;
        n = (int) nn;
        maxInFlight = (int) Math.min(w, nn);
        sleepNs = s;
        timeoutNs = t;
        started = new long[n];
        finished = new long[n];
        error = new String[n];
        status = new int[n];
        bytes = new long[n];
        value = new long[n];
        detail = new String[n];
    }

    /** Reads the spec from stdin and opens the result descriptor (CB_RESULT_FD, default 3). */
    static CbProto open() throws IOException {
        String fd = System.getenv().getOrDefault("CB_RESULT_FD", "3");
        // Java cannot wrap a bare descriptor number; /proc/self/fd/N opens
        // the same pipe (append: a regular file would not be truncated).
        Writer out = new BufferedWriter(new OutputStreamWriter(
                new FileOutputStream("/proc/self/fd/" + fd, true), StandardCharsets.UTF_8), 1 << 16);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        return new CbProto(in.readLine(), in, out);
    }

    static long now() {
        return System.nanoTime();
    }

    /** The runtime's version on one line, for `concbench list`. */
    static String runtimeVersion() {
        return System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version");
    }

    /** What the JVM chose by default (ergonomics): heap max, collector, thread stack size. */
    static String jvmDefaults() {
        String gcs = ManagementFactory.getGarbageCollectorMXBeans().stream()
                .map(GarbageCollectorMXBean::getName).collect(Collectors.joining(", "));
        String stack = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
                .getVMOption("ThreadStackSize").getValue();
        return String.format("JVM default flags: max heap %d MiB, collectors %s, thread stack %s KiB, %d CPUs",
                Runtime.getRuntime().maxMemory() >> 20, gcs, stack, Runtime.getRuntime().availableProcessors());
    }

    void skip(String why) throws IOException {
        out.write("skip " + oneLine(why) + "\n");
        out.flush();
        System.exit(0);
    }

    /** Writes "ready" and waits for "go"; at EOF or anything else exits with status 0. */
    void ready() throws IOException {
        out.write("ready\n");
        out.flush();
        String line = stdin.readLine();
        if (line == null || !line.trim().equals("go")) System.exit(0);
    }

    /** What every Java strategy does once its work is set up: the JVM's
     *  defaults into the policy, "ready", the tasks timed on "go", the report,
     *  and exit (executor and HttpClient threads would keep the JVM alive). */
    interface Tasks {
        void run() throws Exception;
    }

    void runAndExit(Tasks tasks) throws Exception {
        policy.add(jvmDefaults());
        ready();
        long t0 = now();
        tasks.run();
        long t1 = now();
        report(t0, t1);
        System.exit(0);
    }

    synchronized void limit(String text) {
        if (limits.isEmpty()) limits.add(text);
    }

    /** Fills slot k with a failure. */
    void fail(int k, Throwable e) {
        error[k] = classify(e);
        detail[k] = describe(e);
        if ("emfile".equals(error[k]))
            limit(detail[k] + " (RLIMIT_NOFILE " + noFileLimit + ", first at task " + k + ")");
    }

    /** RLIMIT_NOFILE's soft limit, read at start: once descriptors run out, no file opens. */
    private static final String noFileLimit = readNoFileLimit();

    private static String readNoFileLimit() {
        try {
            for (String l : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/limits")))
                if (l.startsWith("Max open files")) return l.substring(14).trim().split("\\s+")[0];
        } catch (IOException e) {
            // fall through: the limit line says "?"
        }
        return "?";
    }

    /** Writes every slot, the policy and limit lines, and the end line. */
    void report(long t0, long t1) throws IOException {
        boolean hex = kind.equals("http");
        int count = 0;
        StringBuilder b = new StringBuilder(128);
        for (int k = 0; k < n; k++) {
            if (started[k] != 0) count++;
            b.setLength(0);
            b.append("task ").append(k).append(' ').append(started[k]).append(' ').append(finished[k])
                    .append(' ').append(error[k] == null ? "ok" : error[k]).append(' ').append(status[k])
                    .append(' ').append(bytes[k]).append(' ');
            if (hex) {
                String h = Long.toHexString(value[k]);
                b.append("0".repeat(16 - h.length())).append(h);
            } else {
                b.append(value[k]);
            }
            if (detail[k] != null) b.append(' ').append(oneLine(detail[k]));
            b.append('\n');
            out.append(b);
        }
        // The protocol keeps one policy line: the choices, joined.
        if (!policy.isEmpty()) out.write("policy " + oneLine(String.join("; ", policy)) + "\n");
        for (String l : limits) out.write("limit " + oneLine(l) + "\n");
        out.write("end " + t0 + " " + t1 + " " + count + "\n");
        out.flush();
    }

    static String oneLine(String s) {
        return String.join(" ", s.trim().split("\\s+"));
    }

    /** FNV-1a 64 of a whole body (strategies/body.h). */
    static long fnv1a(byte[] data) {
        long h = 0xcbf29ce484222325L;
        for (byte x : data) {
            h ^= x & 0xff;
            h *= 0x100000001b3L;
        }
        return h;
    }

    private static Throwable unwrap(Throwable e) {
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null)
            e = e.getCause();
        return e;
    }

    static String describe(Throwable e) {
        e = unwrap(e);
        String m = e.getMessage();
        return e.getClass().getName() + (m == null ? "" : ": " + m);
    }

    /** The protocol's error name (cb_error_name()) for an exception. */
    static String classify(Throwable e) {
        e = unwrap(e);
        String m = "";
        for (Throwable c = e; c != null; c = c.getCause()) m += " " + c.getMessage();
        if (e instanceof OutOfMemoryError) return m.contains("native thread") ? "spawn" : "nomem";
        if (m.contains("Too many open files")) return "emfile";
        if (e instanceof HttpTimeoutException) return "timeout";
        if (m.contains("Connection refused")) return "refused";
        if (m.contains("Cannot assign requested address")) return "eaddrnotavail";
        if (e instanceof UnknownHostException || e instanceof UnresolvedAddressException) return "resolve";
        if (m.contains("content-length") || m.contains("EOF reached")) return "bad_body";
        if (m.contains("reset") || m.contains("closed") || m.contains("Broken pipe")) return "reset";
        if (e instanceof ConnectException) return "refused";
        return "other";
    }
}
