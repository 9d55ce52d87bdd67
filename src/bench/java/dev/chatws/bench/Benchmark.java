package dev.chatws.bench;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Runs the benchmark end to end: starts the paced upstream and the Liberty server, runs every
 * scenario {@code --runs} times after a warm-up, measures the floor in the same run, and writes
 * {@code benchmarks.md} and {@code benchmarks-concurrency.png} into {@code --out}. Started by
 * {@code bench/run.sh}; see docs/benchmarks.md for what each figure means.
 */
public final class Benchmark {

    private static final int[] LEVELS = {32, 64, 128, 256, 512, 1024};
    private static final int PACE_MS = 20;

    private final Map<String, String> options;
    private final StringBuilder table = new StringBuilder();
    private final Map<Integer, Stats> addedByLevel = new LinkedHashMap<>();
    private final Map<Integer, Stats> floorByLevel = new LinkedHashMap<>();
    private int sourceAddresses = 1;

    private Benchmark(Map<String, String> options) {
        this.options = options;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            options.put(args[i], args[i + 1]);
        }
        new Benchmark(options).run();
    }

    private void run() throws Exception {
        int runs = Integer.parseInt(options.getOrDefault("--runs", "3"));
        Path out = Path.of(options.getOrDefault("--out", "docs"));
        String port = options.getOrDefault("--port", "9080");
        URI chat = URI.create("ws://127.0.0.1:" + port + "/chat");
        try (UpstreamProcess upstream = UpstreamProcess.start()) {
            // A load test comes from a few addresses: the per-client limits are off for it.
            Map<String, String> environment = new LinkedHashMap<>(Map.of(
                    "CHAT_UPSTREAM_URL", upstream.url(), "HTTP_PORT", port, "CHAT_UPSTREAM_IDLE_TIMEOUT", "120",
                    "CHAT_LIMITS_CONNECTIONS_PER_CLIENT", "0", "CHAT_LIMITS_TURNS_PER_MINUTE", "0", "CHAT_LIMITS_FRAMES_PER_SECOND", "0",
                    // S6 looks at memory once closed conversations have left it (their history stays in the store).
                    "CHAT_CONVERSATION_UNLOAD_AFTER", "1"));
            // An empty conversation store of its own for every run: the server's default store keeps
            // every conversation of earlier runs, which slows start-up (S7) and commits (S4) run by run.
            Path store = Files.createTempDirectory("chat-ws-bench-store");
            environment.put("CHAT_DB_URL", "jdbc:h2:" + store.resolve("conversations") + ";TRACE_LEVEL_FILE=0");
            String jvmArgs = options.getOrDefault("--server-jvm-args", "");
            if (options.containsKey("--jfr")) {
                jvmArgs += " -XX:StartFlightRecording=filename=" + Path.of(options.get("--jfr")).toAbsolutePath() + ",settings=" + options.getOrDefault("--jfc", "profile") + ",dumponexit=true";
            }
            if (!jvmArgs.isBlank()) {
                environment.put("JVM_ARGS", jvmArgs.strip());
            }
            Server server = new Server(Path.of(options.getOrDefault("--wlp", "target/liberty/wlp")), "defaultServer", environment);
            List<Double> ready = new ArrayList<>();
            List<Double> idleRss = new ArrayList<>();
            for (int run = 0; run < runs; run++) {
                ready.add((double) server.start(chat));
                Thread.sleep(3000);
                idleRss.add(server.rssMegabytes());
                if (run < runs - 1) {
                    server.stop();
                }
            }
            try {
                LoadClient client = new LoadClient(chat, URI.create(upstream.url()), 8);
                sourceAddresses = client.sourceAddresses();
                Scenarios scenarios = new Scenarios(client);
                log("warm-up (" + client.sourceAddresses() + " source addresses)");
                scenarios.concurrentStreams(32, 64, 1);
                scenarios.firstToken(300);
                measure(scenarios, server, runs);
            } finally {
                server.stop();
                try (var files = Files.walk(store)) {
                    files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
                }
            }
            row("S7", "ready after `server start` (ms)", "", fmt(Stats.median(toArray(ready))), "", "≤ 3000",
                    Stats.median(toArray(ready)) <= 3000);
            row("S7", "idle RSS (MB)", "", fmt(Stats.median(toArray(idleRss))), "", "≤ 250", Stats.median(toArray(idleRss)) <= 250);
        }
        Files.createDirectories(out);
        Files.writeString(out.resolve("benchmarks.md"), report(runs));
        Plot.write(out.resolve("benchmarks-concurrency.png"), addedByLevel, floorByLevel, PACE_MS);
        log("wrote " + out.resolve("benchmarks.md"));
    }

    private boolean wanted(String id) {
        return !options.containsKey("--only") || List.of(options.get("--only").split(",")).contains(id);
    }

    private void measure(Scenarios scenarios, Server server, int runs) throws Exception {
        if (wanted("S1")) {
            measureFirstToken(scenarios, runs);
        }
        if (wanted("S2")) {
            measureChunkGaps(scenarios, runs);
        }
        if (wanted("S3")) {
            measureConcurrency(scenarios, server, runs);
        }
        if (wanted("S4")) {
            measureTurns(scenarios, runs);
        }
        if (wanted("S5")) {
            measureIdle(scenarios, server, runs);
        }
        if (wanted("S6")) {
            measureConversations(scenarios, server);
        }
    }

    private void measureFirstToken(Scenarios scenarios, int runs) throws Exception {
        log("S1");
        List<Stats> relay = new ArrayList<>();
        List<Stats> floor = new ArrayList<>();
        for (int run = 0; run < runs; run++) {
            Scenarios.Samples samples = scenarios.firstToken(500);
            relay.add(Stats.of(samples.relay()));
            floor.add(Stats.of(samples.floor()));
        }
        latencyRows("S1", "time to first token, 1 stream", Stats.median(relay), Stats.median(floor), 1, 5);
    }

    private void measureChunkGaps(Scenarios scenarios, int runs) throws Exception {
        log("S2");
        List<Stats> relay = new ArrayList<>();
        List<Stats> floor = new ArrayList<>();
        int lost = 0;
        for (int run = 0; run < runs; run++) {
            for (int stream = 0; stream < 5; stream++) {
                Scenarios.Samples samples = scenarios.concurrentStreams(1, 64, PACE_MS);
                relay.add(Stats.of(samples.relay()));
                floor.add(Stats.of(samples.floor()));
                lost += samples.lost();
            }
        }
        latencyRows("S2", "chunk latency, 64 chunks at 20 ms", Stats.median(relay), Stats.median(floor), Double.NaN, 2);
        row("S2", "streams with a chunk lost, repeated or out of order", "", String.valueOf(lost), "", "0", lost == 0);
    }

    private void measureConcurrency(Scenarios scenarios, Server server, int runs) throws Exception {
        log("S3");
        int held = 0;
        int floorHeld = 0;
        List<Integer> levels = options.containsKey("--levels")
                ? java.util.Arrays.stream(options.get("--levels").split(",")).map(Integer::valueOf).toList()
                : java.util.Arrays.stream(LEVELS).boxed().toList();
        for (int level : levels) {
            List<Stats> relay = new ArrayList<>();
            List<Stats> floor = new ArrayList<>();
            List<Double> stalls = new ArrayList<>();
            List<Double> floorStalls = new ArrayList<>();
            List<Double> cpuPerChunk = new ArrayList<>();
            int broken = 0;
            for (int run = 0; run < runs; run++) {
                long cpuBefore = server.cpuMicros();
                Scenarios.Samples samples = scenarios.concurrentStreams(level, 50, PACE_MS);
                cpuPerChunk.add((double) (server.cpuMicros() - cpuBefore) / samples.relay().length);
                relay.add(Stats.of(samples.relay()));
                floor.add(Stats.of(samples.floor()));
                stalls.add((double) samples.stalls());
                floorStalls.add((double) samples.floorStalls());
                broken += samples.lost();
            }
            Stats added = Stats.median(relay).minus(Stats.median(floor));
            addedByLevel.put(level, added);
            floorByLevel.put(level, Stats.median(floor));
            double medianStalls = Stats.median(toArray(stalls));
            if (medianStalls == 0 && broken == 0) {
                held = level;
            }
            if (Stats.median(toArray(floorStalls)) == 0) {
                floorHeld = level;
            }
            row("S3", level + " streams: chunk latency p50 / p99 (ms); streams with a chunk delayed > 40 ms; broken streams",
                    fmt(Stats.median(floor).p50()) + " / " + fmt(Stats.median(floor).p99()) + "; " + fmt(Stats.median(toArray(floorStalls))),
                    fmt(Stats.median(relay).p50()) + " / " + fmt(Stats.median(relay).p99()) + "; " + fmt(medianStalls) + "; " + broken,
                    fmt(added.p50()) + " / " + fmt(added.p99()), "", null);
            row("S3", level + " streams: server CPU per relayed chunk, handshakes and turn set-up included (µs)", "",
                    fmt(Stats.median(toArray(cpuPerChunk))), "", "", null);
        }
        // The floor's figure says what this machine can hold at all with the load client and the upstream on it.
        row("S3", "most concurrent streams with no chunk delayed over 2× the pace", String.valueOf(floorHeld), String.valueOf(held), "",
                "≥ 512", held >= 512);
    }

    private void measureTurns(Scenarios scenarios, int runs) throws Exception {
        log("S4");
        List<Double> turns = new ArrayList<>();
        List<Double> requests = new ArrayList<>();
        for (int run = 0; run < runs; run++) {
            double[] rates = scenarios.turnsPerSecond(64, Duration.ofSeconds(5));
            turns.add(rates[0]);
            requests.add(rates[1]);
        }
        row("S4", "non-streamed turns per second, 64 sockets", fmt(Stats.median(toArray(requests))), fmt(Stats.median(toArray(turns))), "",
                "≥ 3000", Stats.median(toArray(turns)) >= 3000);
    }

    private void measureIdle(Scenarios scenarios, Server server, int runs) throws Exception {
        log("S5");
        List<Double> handshakes = new ArrayList<>();
        List<Double> perSocketHeap = new ArrayList<>();
        List<Double> perSocketRss = new ArrayList<>();
        for (int run = 0; run < runs; run++) {
            double heapBefore = server.heapAfterGcMegabytes();
            double rssBefore = server.rssMegabytes();
            Scenarios.Opened opened = scenarios.openIdle(10_000, 256);
            handshakes.add(opened.handshakesPerSecond());
            perSocketHeap.add((server.heapAfterGcMegabytes() - heapBefore) * 1024 / 10_000);
            perSocketRss.add((server.rssMegabytes() - rssBefore) * 1024 / 10_000);
            opened.closeAll();
            Thread.sleep(2000);
        }
        row("S5", "handshakes per second (10,000 sockets, 256 at a time)", "", fmt(Stats.median(toArray(handshakes))), "", "≥ 1000",
                Stats.median(toArray(handshakes)) >= 1000);
        row("S5", "server heap after GC per open socket (KB)", "", fmt(Stats.median(toArray(perSocketHeap))), "", "≤ 12",
                Stats.median(toArray(perSocketHeap)) <= 12);
        row("S5", "server RSS growth per open socket (KB)", "", fmt(Stats.median(toArray(perSocketRss))), "", "≤ 20",
                Stats.median(toArray(perSocketRss)) <= 20);
    }

    private void measureConversations(Scenarios scenarios, Server server) throws Exception {
        log("S6");
        // A first round, not measured, fills what is bounded but starts out empty in a fresh server
        // (the store's page cache, connection pools); the second round shows whether memory comes back.
        Scenarios.Opened warmUp = scenarios.conversations(1000, 20);
        warmUp.closeAll();
        Thread.sleep(3000);
        double before = server.heapAfterGcMegabytes();
        Scenarios.Opened conversations = scenarios.conversations(1000, 20);
        double during = server.heapAfterGcMegabytes();
        conversations.closeAll();
        Thread.sleep(3000);
        double after = server.heapAfterGcMegabytes();
        row("S6", "heap after GC (MB), after a first round: before / with 1,000 conversations × 20 turns / after their sockets closed and they were unloaded (chat.conversation.unload-after=1 s)", "",
                fmt(before) + " / " + fmt(during) + " / " + fmt(after), "", "flat", after - before < 5);
    }

    private void latencyRows(String id, String what, Stats relay, Stats floor, double p50Target, double p99Target) {
        Stats added = relay.minus(floor);
        row(id, what + ": p50 (ms)", fmt(floor.p50()), fmt(relay.p50()), fmt(added.p50()),
                Double.isNaN(p50Target) ? "" : "≤ " + fmt(p50Target), Double.isNaN(p50Target) ? null : added.p50() <= p50Target);
        row(id, what + ": p99 (ms)", fmt(floor.p99()), fmt(relay.p99()), fmt(added.p99()), "≤ " + fmt(p99Target), added.p99() <= p99Target);
        row(id, what + ": p99.9 (ms)", fmt(floor.p999()), fmt(relay.p999()), fmt(added.p999()), "", null);
    }

    private void row(String id, String what, String floor, String relay, String added, String target, Boolean met) {
        table.append("| ").append(id).append(" | ").append(what).append(" | ").append(floor).append(" | ").append(relay)
                .append(" | ").append(added).append(" | ").append(target).append(" | ")
                .append(met == null ? "" : met ? "met" : "**missed**").append(" |\n");
    }

    private String report(int runs) throws IOException {
        Path findings = Path.of(options.getOrDefault("--findings", "bench/findings.md"));
        return "# Benchmarks\n\n"
                + "How much chat-ws adds between an OpenAI-compatible upstream and a WebSocket client. Reproduce with "
                + "`bench/run.sh` (about 10 minutes; it rewrites this page).\n\n"
                + "Measured on " + LocalDate.now() + ": " + Runtime.getRuntime().availableProcessors()
                + " cores, with the server (Open Liberty, Java " + options.getOrDefault("--server-java", "17")
                + "), the paced upstream (its own JVM) and the load client (Java " + System.getProperty("java.version")
                + ") on the same machine; connections spread over " + sourceAddresses + " source address(es). "
                + "Every figure is the median of " + runs + " runs after a warm-up. *Floor* is the same streams read "
                + "straight from the upstream over SSE in the same run; *added* = relay − floor, statistic by statistic. "
                + "Chunk latency is the time from the upstream writing a chunk (its `x_t` stamp) to the client reading it.\n\n"
                + "| # | measure | floor | relay | added | target | |\n|---|---|---|---|---|---|---|\n"
                + table
                + "\n![Added chunk latency against concurrent streams](benchmarks-concurrency.png)\n"
                + (Files.exists(findings) ? "\n" + Files.readString(findings) : "");
    }

    private static double[] toArray(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static String fmt(double value) {
        return Double.isNaN(value) ? "–" : String.format(Locale.ROOT, value >= 100 ? "%.0f" : "%.2f", value);
    }

    private static void log(String message) {
        System.out.println("[bench] " + message);
    }
}
