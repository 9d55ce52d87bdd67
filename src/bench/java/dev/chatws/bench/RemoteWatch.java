package dev.chatws.bench;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * What watching a turn from another server adds (README, "Several servers"): two Liberty servers
 * on one PostgreSQL, the paced upstream; {@code --streams} conversations (default 32) each with a
 * socket on server A, which runs the turns, and one on server B, which watches them (its frames
 * come through PostgreSQL: {@code chat_turn_frame} and {@code NOTIFY}). Every chunk is timed on
 * both sockets from the upstream's stamp; the added latency is B's figure minus A's, statistic by
 * statistic, median of {@code --runs} runs (default 3) after a warm-up. B must get every chunk,
 * once, in order. Run by {@code bench/watch.sh}, which prints the table for docs/benchmarks.md.
 */
public final class RemoteWatch {

    private static final int CHUNKS = 64;
    private static final int GAP_MS = 20;

    private RemoteWatch() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            options.put(args[i], args[i + 1]);
        }
        int streams = Integer.parseInt(options.getOrDefault("--streams", "32"));
        int runs = Integer.parseInt(options.getOrDefault("--runs", "3"));
        Path wlp = Path.of(options.getOrDefault("--wlp", "target/liberty/wlp"));
        try (UpstreamProcess upstream = UpstreamProcess.start()) {
            Map<String, String> environment = new LinkedHashMap<>(Map.of(
                    "CHAT_UPSTREAM_URL", upstream.url(), "CHAT_UPSTREAM_IDLE_TIMEOUT", "120",
                    "CHAT_LIMITS_CONNECTIONS_PER_CLIENT", "0", "CHAT_LIMITS_TURNS_PER_MINUTE", "0", "CHAT_LIMITS_FRAMES_PER_SECOND", "0",
                    "CHAT_DB_URL", System.getenv("CHAT_DB_URL"), "CHAT_DB_USER", System.getenv().getOrDefault("CHAT_DB_USER", ""),
                    "CHAT_DB_PASSWORD", System.getenv().getOrDefault("CHAT_DB_PASSWORD", "")));
            Map<String, String> onA = new LinkedHashMap<>(environment);
            onA.put("HTTP_PORT", "9481");
            Map<String, String> onB = new LinkedHashMap<>(environment);
            onB.put("HTTP_PORT", "9482");
            URI chatA = URI.create("ws://127.0.0.1:9481/chat");
            URI chatB = URI.create("ws://127.0.0.1:9482/chat");
            Server a = new Server(wlp, "bench-watch-a", onA);
            Server b = new Server(wlp, "bench-watch-b", onB);
            a.start(chatA);
            b.start(chatB);
            try {
                LoadClient clientA = new LoadClient(chatA, URI.create(upstream.url()), 4);
                LoadClient clientB = new LoadClient(chatB, URI.create(upstream.url()), 4);
                round(clientA, clientB, streams);
                List<Stats> own = new ArrayList<>();
                List<Stats> watched = new ArrayList<>();
                List<Stats> ownSteady = new ArrayList<>();
                List<Stats> watchedSteady = new ArrayList<>();
                int broken = 0;
                for (int run = 0; run < runs; run++) {
                    Result result = round(clientA, clientB, streams);
                    own.add(result.own());
                    watched.add(result.watched());
                    ownSteady.add(result.ownSteady());
                    watchedSteady.add(result.watchedSteady());
                    broken += result.broken();
                }
                Stats ownMedian = Stats.median(own);
                Stats watchedMedian = Stats.median(watched);
                Stats added = watchedMedian.minus(ownMedian);
                System.out.printf("| %d streams, 64 chunks at 20 ms | on the turn's server | watched from another server | added |%n", streams);
                System.out.println("|---|---|---|---|");
                System.out.printf("| chunk latency p50 (ms) | %.2f | %.2f | %.2f |%n", ownMedian.p50(), watchedMedian.p50(), added.p50());
                System.out.printf("| chunk latency p99 (ms) | %.2f | %.2f | %.2f |%n", ownMedian.p99(), watchedMedian.p99(), added.p99());
                Stats steady = Stats.median(watchedSteady).minus(Stats.median(ownSteady));
                System.out.printf("| chunk latency p50 / p99 (ms) from the 6th chunk on (the watch set up) | %.2f / %.2f | %.2f / %.2f | %.2f / %.2f |%n",
                        Stats.median(ownSteady).p50(), Stats.median(ownSteady).p99(), Stats.median(watchedSteady).p50(),
                        Stats.median(watchedSteady).p99(), steady.p50(), steady.p99());
                System.out.printf("| streams with a chunk lost, repeated or out of order on the watching server | | %d | |%n", broken);
            } finally {
                a.stop();
                b.stop();
            }
        }
    }

    private record Result(Stats own, Stats watched, Stats ownSteady, Stats watchedSteady, int broken) {
    }

    /** {@code streams} new conversations on A, each watched by a socket on B, one turn each, all at once. */
    private static Result round(LoadClient clientA, LoadClient clientB, int streams) throws Exception {
        List<LoadClient.Socket> socketsA = new ArrayList<>();
        List<LoadClient.Socket> socketsB = new ArrayList<>();
        for (int i = 0; i < streams; i++) {
            LoadClient.Socket socket = clientA.open().get(60, TimeUnit.SECONDS);
            // A first turn stores the conversation, so that B can reattach to it before the measured turn.
            socket.turn(LoadClient.request(2, 1, true), 2).get(60, TimeUnit.SECONDS);
            socketsA.add(socket);
            socketsB.add(clientB.reattach(socket.id()).get(60, TimeUnit.SECONDS));
        }
        List<CompletableFuture<LoadClient.Stream>> own = new ArrayList<>();
        List<CompletableFuture<LoadClient.Stream>> watched = new ArrayList<>();
        for (int i = 0; i < streams; i++) {
            watched.add(socketsB.get(i).watch(CHUNKS));
            own.add(socketsA.get(i).turn(LoadClient.request(CHUNKS, GAP_MS, true), CHUNKS));
        }
        List<long[]> ownLatencies = new ArrayList<>();
        List<long[]> watchedLatencies = new ArrayList<>();
        List<long[]> ownSteady = new ArrayList<>();
        List<long[]> watchedSteady = new ArrayList<>();
        int broken = 0;
        for (int i = 0; i < streams; i++) {
            long[] ownStream = own.get(i).get(120, TimeUnit.SECONDS).latencies();
            ownLatencies.add(ownStream);
            ownSteady.add(java.util.Arrays.copyOfRange(ownStream, Math.min(5, ownStream.length), ownStream.length));
            LoadClient.Stream stream = watched.get(i).get(120, TimeUnit.SECONDS);
            long[] watchedStream = stream.latencies();
            watchedLatencies.add(watchedStream);
            watchedSteady.add(java.util.Arrays.copyOfRange(watchedStream, Math.min(5, watchedStream.length), watchedStream.length));
            broken += stream.intact() ? 0 : 1;
        }
        for (int i = 0; i < streams; i++) {
            socketsA.get(i).close();
            socketsB.get(i).close();
        }
        return new Result(Stats.of(Stats.concat(ownLatencies)), Stats.of(Stats.concat(watchedLatencies)), Stats.of(Stats.concat(ownSteady)),
                Stats.of(Stats.concat(watchedSteady)), broken);
    }
}
