package dev.chatws.bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import jakarta.json.spi.JsonProvider;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.locks.LockSupport;

/**
 * The benchmark's upstream: a small OpenAI-compatible server on loopback (the JDK's HTTP server,
 * nothing of the product) that streams chunks at a fixed pace. Every chunk carries {@code x_t},
 * the wall-clock time it was written in microseconds, and {@code x_i}, its number, so a reader
 * can tell how long the chunk took to reach it and whether any was lost, repeated or reordered.
 *
 * <p>The request sets the pace with members the relay forwards untouched: {@code x_chunks}
 * (default 16), {@code x_gap_ms} (20) and {@code x_first_ms} (0). Run standalone with
 * {@code java … dev.chatws.bench.PacedUpstream PORT}, or embedded by the smoke test.
 */
public final class PacedUpstream implements AutoCloseable {

    private static final JsonProvider JSON = JsonProvider.provider();
    private static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII);
    private static final java.util.concurrent.atomic.AtomicInteger ACTIVE = new java.util.concurrent.atomic.AtomicInteger();

    private final HttpServer server;
    private final ExecutorService threads;

    private PacedUpstream(HttpServer server, ExecutorService threads) {
        this.server = server;
        this.threads = threads;
    }

    /** Starts the upstream on 127.0.0.1:{@code port} (0: any free port). */
    public static PacedUpstream start(int port) throws IOException {
        // The JDK server keeps at most 200 idle keep-alive connections by default and drops the
        // rest, which a pooling client then finds closed; a real upstream keeps them far longer.
        System.setProperty("sun.net.httpserver.maxIdleConnections", "8192");
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 4096);
        ExecutorService threads = Executors.newCachedThreadPool(task -> {
            Thread thread = new Thread(task, "paced-upstream");
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(threads);
        server.createContext("/v1/chat/completions", PacedUpstream::handle);
        server.start();
        return new PacedUpstream(server, threads);
    }

    /** The base URL, ending in {@code /v1}. */
    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }

    /** How many requests are being answered right now (a stream counts until its reader hangs up or it ends). */
    public int active() {
        return ACTIVE.get();
    }

    /** Microseconds since the epoch, comparable across processes on this machine. */
    public static long nowMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    }

    private static void handle(HttpExchange exchange) throws IOException {
        ACTIVE.incrementAndGet();
        try (exchange) {
            JsonObject request = JSON.createReader(new ByteArrayInputStream(exchange.getRequestBody().readAllBytes())).readObject();
            int chunks = intOr(request.get("x_chunks"), 16);
            long gapNanos = intOr(request.get("x_gap_ms"), 20) * 1_000_000L;
            long firstNanos = intOr(request.get("x_first_ms"), 0) * 1_000_000L;
            String model = request.getString("model", "paced");
            if (request.get("stream") == JsonValue.FALSE) {
                byte[] body = ("{\"id\":\"chatcmpl-paced\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"" + model + "\","
                        + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"ok\"},\"logprobs\":null,\"finish_reason\":\"stop\"}],"
                        + "\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1,\"total_tokens\":2},\"x_t\":" + nowMicros() + "}")
                        .getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
                return;
            }
            exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
            exchange.sendResponseHeaders(200, 0);
            OutputStream out = exchange.getResponseBody();
            long start = System.nanoTime() + firstNanos;
            for (int i = 0; i < chunks; i++) {
                LockSupport.parkNanos(start + i * gapNanos - System.nanoTime());
                String finish = i == chunks - 1 ? "\"stop\"" : "null";
                out.write(("data: {\"id\":\"chatcmpl-paced\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"" + model + "\","
                        + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"t" + i + " \"},\"logprobs\":null,\"finish_reason\":" + finish + "}],"
                        + "\"x_i\":" + i + ",\"x_t\":" + nowMicros() + "}\n\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
            out.write(("data: {\"id\":\"chatcmpl-paced\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"" + model + "\","
                    + "\"choices\":[],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":" + chunks + ",\"total_tokens\":" + (chunks + 1) + "}}\n\n")
                    .getBytes(StandardCharsets.UTF_8));
            out.write(DONE);
            out.flush();
        } catch (IOException | RuntimeException e) {
            // the reader went away (a cancelled stream); nothing to do
        } finally {
            ACTIVE.decrementAndGet();
        }
    }

    private static int intOr(JsonValue value, int fallback) {
        return value instanceof JsonNumber number ? number.intValue() : fallback;
    }

    /** Runs the upstream until the process is stopped. */
    public static void main(String[] args) throws Exception {
        PacedUpstream upstream = start(args.length > 0 ? Integer.parseInt(args[0]) : 0);
        System.out.println(upstream.url());
        Thread.currentThread().join();
    }
}
