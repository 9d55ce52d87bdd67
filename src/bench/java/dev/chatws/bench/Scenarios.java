package dev.chatws.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The benchmark's scenarios, each measured through the relay and, for the floor, straight from
 * the upstream in the same run. They only measure; {@link Benchmark} repeats them, adds server
 * memory, and writes the report.
 */
public final class Scenarios {

    private static final long WAIT_SECONDS = 120;

    /** S1's turns per conversation: a chat of ordinary length (its history up to 18 messages). */
    static final int TURNS_PER_CONVERSATION = 10;

    private final LoadClient client;

    public Scenarios(LoadClient client) {
        this.client = client;
    }

    /** Relay and floor samples of one measurement, in microseconds. */
    public record Samples(long[] relay, long[] floor, int lost, int stalls, int floorStalls, int streams) {
    }

    /**
     * S1: time to the first chunk, one stream at a time, relay and floor alternating. A new
     * conversation every {@link #TURNS_PER_CONVERSATION} turns: the relay sends the conversation's
     * history upstream and the floor's request has none, so on one conversation of hundreds of
     * turns the upstream's parsing of an ever longer body would be counted as the relay's.
     */
    public Samples firstToken(int samples) throws Exception {
        LoadClient.Socket socket = null;
        long[] relay = new long[samples];
        long[] floor = new long[samples];
        int lost = 0;
        for (int i = 0; i < samples; i++) {
            if (i % TURNS_PER_CONVERSATION == 0) {
                if (socket != null) {
                    socket.close();
                }
                socket = client.open().get(WAIT_SECONDS, TimeUnit.SECONDS);
            }
            LoadClient.Stream viaRelay = socket.turn(LoadClient.request(1, 0, true), 1).get(WAIT_SECONDS, TimeUnit.SECONDS);
            LoadClient.Stream direct = client.floor(1, 0).get(WAIT_SECONDS, TimeUnit.SECONDS);
            lost += viaRelay.intact() ? 0 : 1;
            relay[i] = viaRelay.firstChunkMicros();
            floor[i] = direct.firstChunkMicros();
        }
        socket.close();
        return new Samples(relay, floor, lost, 0, 0, samples);
    }

    /**
     * S2 and S3: {@code concurrency} streams at once of {@code chunks} chunks {@code gapMs} apart;
     * per-chunk latency. A stream stalled if one of its chunks reached the client more than twice
     * the pace after the upstream wrote it (so the upstream's own pacing jitter does not count).
     */
    public Samples concurrentStreams(int concurrency, int chunks, int gapMs) throws Exception {
        List<LoadClient.Socket> sockets = openAll(concurrency, 256);
        List<CompletableFuture<LoadClient.Stream>> viaRelay = new ArrayList<>();
        for (LoadClient.Socket socket : sockets) {
            viaRelay.add(socket.turn(LoadClient.request(chunks, gapMs, true), chunks));
        }
        List<LoadClient.Stream> relayed = await(viaRelay);
        sockets.forEach(LoadClient.Socket::close);
        List<CompletableFuture<LoadClient.Stream>> direct = new ArrayList<>();
        for (int i = 0; i < concurrency; i++) {
            direct.add(client.floor(chunks, gapMs));
        }
        List<LoadClient.Stream> floors = await(direct);
        int lost = 0;
        int stalls = 0;
        for (LoadClient.Stream stream : relayed) {
            lost += stream.intact() ? 0 : 1;
            stalls += stream.longestLatency() > 2_000L * gapMs ? 1 : 0;
        }
        int floorStalls = (int) floors.stream().filter(stream -> stream.longestLatency() > 2_000L * gapMs).count();
        return new Samples(Stats.concat(relayed.stream().map(LoadClient.Stream::latencies).toList()),
                Stats.concat(floors.stream().map(LoadClient.Stream::latencies).toList()), lost, stalls, floorStalls, concurrency);
    }

    /** S4: non-streamed turns per second over {@code sockets} open sockets, against the floor's requests per second. */
    public double[] turnsPerSecond(int sockets, Duration duration) throws Exception {
        List<LoadClient.Socket> open = openAll(sockets, 256);
        AtomicLong turns = new AtomicLong();
        long end = System.nanoTime() + duration.toNanos();
        long start = System.nanoTime();
        List<CompletableFuture<Void>> loops = new ArrayList<>();
        for (LoadClient.Socket socket : open) {
            loops.add(loop(() -> socket.turn(LoadClient.request(0, 0, false), 0), end, turns));
        }
        CompletableFuture.allOf(loops.toArray(CompletableFuture[]::new)).get(WAIT_SECONDS, TimeUnit.SECONDS);
        double relay = turns.get() / ((System.nanoTime() - start) / 1e9);
        open.forEach(LoadClient.Socket::close);

        AtomicLong requests = new AtomicLong();
        long floorEnd = System.nanoTime() + duration.toNanos();
        long floorStart = System.nanoTime();
        List<CompletableFuture<Void>> floorLoops = new ArrayList<>();
        for (int i = 0; i < sockets; i++) {
            floorLoops.add(loop(() -> client.floor(1, 0), floorEnd, requests));
        }
        CompletableFuture.allOf(floorLoops.toArray(CompletableFuture[]::new)).get(WAIT_SECONDS, TimeUnit.SECONDS);
        double floor = requests.get() / ((System.nanoTime() - floorStart) / 1e9);
        return new double[] {relay, floor};
    }

    /** S5: opens {@code count} sockets, at most {@code inFlight} handshakes at a time; returns them and the handshakes per second. */
    public Opened openIdle(int count, int inFlight) throws Exception {
        long start = System.nanoTime();
        List<LoadClient.Socket> sockets = openAll(count, inFlight);
        return new Opened(sockets, count / ((System.nanoTime() - start) / 1e9));
    }

    /** Sockets left open, and how fast they were opened. */
    public record Opened(List<LoadClient.Socket> sockets, double handshakesPerSecond) {
        public void closeAll() {
            sockets.forEach(LoadClient.Socket::abort);
        }
    }

    /** S6: {@code conversations} sockets, each taking {@code turns} non-streamed turns one after the other. */
    public Opened conversations(int conversations, int turns) throws Exception {
        Opened opened = openIdle(conversations, 256);
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (LoadClient.Socket socket : opened.sockets()) {
            CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
            for (int t = 0; t < turns; t++) {
                chain = chain.thenCompose(ignored -> socket.turn(LoadClient.request(0, 0, false), 0).thenApply(s -> null));
            }
            all.add(chain);
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(WAIT_SECONDS * 5, TimeUnit.SECONDS);
        return opened;
    }

    private List<LoadClient.Socket> openAll(int count, int inFlight) throws Exception {
        Semaphore permits = new Semaphore(inFlight);
        List<CompletableFuture<LoadClient.Socket>> opening = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            permits.acquire();
            opening.add(client.open().whenComplete((socket, error) -> permits.release()));
        }
        return await(opening);
    }

    private static <T> List<T> await(List<CompletableFuture<T>> futures) throws Exception {
        CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(WAIT_SECONDS, TimeUnit.SECONDS);
        List<T> out = new ArrayList<>(futures.size());
        for (CompletableFuture<T> future : futures) {
            out.add(future.join());
        }
        return out;
    }

    private static CompletableFuture<Void> loop(java.util.function.Supplier<CompletableFuture<?>> step, long end, AtomicLong count) {
        if (System.nanoTime() >= end) {
            return CompletableFuture.completedFuture(null);
        }
        return step.get().thenCompose(done -> {
            count.incrementAndGet();
            return loop(step, end, count);
        });
    }
}
