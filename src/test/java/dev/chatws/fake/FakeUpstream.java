package dev.chatws.fake;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import jakarta.json.Json;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A scripted OpenAI-compatible upstream for the integration tests, in the test JVM (the JDK's HTTP
 * server with a thread per exchange, nothing shared with the server under test: a stream the
 * script holds open for 30 s holds none of Liberty's threads). The chat request names its script
 * in the member {@code x_script} (which the relay forwards like any unknown member) and a key in
 * {@code x_key}; the fake answers with the script's exact bytes and records, per key, the body and
 * the {@code Authorization} header it received, how often it was called and whether the relay
 * hung up on it; the tests read those directly.
 *
 * <p>Script {@code paced} is the benchmark's upstream ({@link #main} runs it in a process of its
 * own). One shared fake per test JVM, started on first use on a free loopback port; tests that
 * count streams start one of their own ({@link #start}). Thread-safe.
 */
public final class FakeUpstream implements AutoCloseable {

    static final Map<String, String> BODIES = new ConcurrentHashMap<>();
    static final Map<String, String> AUTHORIZATION = new ConcurrentHashMap<>();
    static final Map<String, String> HUNG_UP = new ConcurrentHashMap<>();
    static final Map<String, Integer> ATTEMPTS = new ConcurrentHashMap<>();

    /** The chunks of the "text" script, as the relay must pass them on. */
    public static final List<String> TEXT = List.of(
            "{\"id\":\"chatcmpl-t\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"fake-1\",\"system_fingerprint\":\"fp_f\","
                    + "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"logprobs\":null,\"finish_reason\":null}],"
                    + "\"x_provider\":{\"region\":\"eu\",\"latency\":1.50}}",
            "{\"id\":\"chatcmpl-t\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"fake-1\",\"system_fingerprint\":\"fp_f\","
                    + "\"choices\":[{\"index\":0,\"delta\":{\"reasoning_content\":\"Let me think.\"},\"logprobs\":null,\"finish_reason\":null}]}",
            "{\"id\":\"chatcmpl-t\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"fake-1\",\"system_fingerprint\":\"fp_f\","
                    + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hello\"},\"logprobs\":null,\"finish_reason\":null}]}",
            "{\"id\":\"chatcmpl-t\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"fake-1\",\"system_fingerprint\":\"fp_f\","
                    + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\", w\\u00f6rld \uD83D\uDC4B\"},\"logprobs\":null,\"finish_reason\":null}]}",
            "{\"id\":\"chatcmpl-t\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"fake-1\",\"system_fingerprint\":\"fp_f\","
                    + "\"choices\":[{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":\"stop\"}]}",
            "{\"id\":\"chatcmpl-t\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"fake-1\",\"system_fingerprint\":\"fp_f\","
                    + "\"choices\":[],\"usage\":{\"prompt_tokens\":11,\"completion_tokens\":4,\"total_tokens\":15,"
                    + "\"prompt_tokens_details\":{\"cached_tokens\":8,\"audio_tokens\":0},"
                    + "\"completion_tokens_details\":{\"reasoning_tokens\":3,\"audio_tokens\":0,\"accepted_prediction_tokens\":0,\"rejected_prediction_tokens\":0},"
                    + "\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":8}}");

    /** Two parallel tool calls whose fragments interleave; id and name only in the first fragment. */
    public static final List<String> TOOLS = List.of(
            chunk("{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"index\":0,\"id\":\"call_w\",\"type\":\"function\",\"function\":{\"name\":\"weather\",\"arguments\":\"\"}}]}", null),
            chunk("{\"tool_calls\":[{\"index\":1,\"id\":\"call_t\",\"type\":\"function\",\"function\":{\"name\":\"time\",\"arguments\":\"\"}}]}", null),
            chunk("{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"city\\\":\"}}]}", null),
            chunk("{\"tool_calls\":[{\"index\":1,\"function\":{\"arguments\":\"{\\\"tz\\\":\"}}]}", null),
            chunk("{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"\\\"Oslo\\\"}\"}}]}", null),
            chunk("{\"tool_calls\":[{\"index\":1,\"function\":{\"arguments\":\"\\\"CET\\\"}\"}}]}", null),
            chunk("{}", "tool_calls"));

    /** Content with logprobs in every chunk. */
    public static final List<String> LOGPROBS = List.of(
            "{\"id\":\"c-l\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"fake-1\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"Hi\"},"
                    + "\"logprobs\":{\"content\":[{\"token\":\"Hi\",\"logprob\":-0.5,\"bytes\":[72,105],\"top_logprobs\":[{\"token\":\"Hi\",\"logprob\":-0.5,\"bytes\":[72,105]}]}],\"refusal\":null},\"finish_reason\":null}]}",
            "{\"id\":\"c-l\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"fake-1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"!\"},"
                    + "\"logprobs\":{\"content\":[{\"token\":\"!\",\"logprob\":-1.25,\"bytes\":[33],\"top_logprobs\":[{\"token\":\"!\",\"logprob\":-1.25,\"bytes\":[33]}]}],\"refusal\":null},\"finish_reason\":\"stop\"}]}");

    /** Azure's shape: a prompt-filter preamble with an empty object and choices, CRLF line ends. */
    public static final List<String> AZURE = List.of(
            "{\"choices\":[],\"created\":0,\"id\":\"\",\"model\":\"\",\"object\":\"\",\"prompt_filter_results\":[{\"prompt_index\":0,\"content_filter_results\":{\"hate\":{\"filtered\":false,\"severity\":\"safe\"}}}]}",
            "{\"choices\":[{\"content_filter_results\":{},\"delta\":{\"content\":\"Az\",\"role\":\"assistant\"},\"finish_reason\":null,\"index\":0,\"logprobs\":null}],\"created\":1700000001,\"id\":\"chatcmpl-az\",\"model\":\"gpt-4o-2024-08-06\",\"object\":\"chat.completion.chunk\",\"system_fingerprint\":\"fp_az\"}",
            "{\"choices\":[{\"content_filter_results\":{\"hate\":{\"filtered\":false,\"severity\":\"safe\"}},\"delta\":{\"content\":\"ure\"},\"finish_reason\":\"stop\",\"index\":0,\"logprobs\":null}],\"created\":1700000001,\"id\":\"chatcmpl-az\",\"model\":\"gpt-4o-2024-08-06\",\"object\":\"chat.completion.chunk\",\"system_fingerprint\":\"fp_az\"}");

    /** Numbers no Java primitive holds, where the relay reads numbers: indexes, created, usage. */
    public static final List<String> BIG_NUMBERS = List.of(
            "{\"id\":\"c-big\",\"object\":\"chat.completion.chunk\",\"created\":1e400,\"model\":\"fake-1\",\"choices\":[{\"index\":0,\"delta\":"
                    + "{\"role\":\"assistant\",\"content\":\"big\",\"tool_calls\":[{\"index\":1e1000000000,\"id\":\"call_b\",\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"{}\"}}]},"
                    + "\"logprobs\":null,\"finish_reason\":null}]}",
            "{\"id\":\"c-big\",\"object\":\"chat.completion.chunk\",\"created\":1e400,\"model\":\"fake-1\",\"choices\":[{\"index\":1e400,\"delta\":{\"content\":\"x\"},\"finish_reason\":null}]}",
            "{\"id\":\"c-big\",\"object\":\"chat.completion.chunk\",\"created\":1e400,\"model\":\"fake-1\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}],"
                    + "\"usage\":{\"prompt_tokens\":1e400,\"completion_tokens\":-1e1000000000,\"total_tokens\":1e400,\"prompt_tokens_details\":{\"cached_tokens\":1e400}}}");

    /** Content that is half a UTF-16 surrogate pair, escaped as JSON allows. */
    public static final List<String> SURROGATE = List.of(
            chunk("{\"role\":\"assistant\",\"content\":\"lone \\ud800 high, lone \\udc00 low\"}", null),
            chunk("{}", "stop"));

    /** The non-streamed answer, with a member no spec names. */
    public static final String WHOLE = "{\n  \"id\": \"chatcmpl-w\", \"object\": \"chat.completion\", \"created\": 1700000002, \"model\": \"fake-1\",\n"
            + "  \"choices\": [{\"index\": 0, \"message\": {\"role\": \"assistant\", \"content\": \"Whole answer\", \"refusal\": null, \"x_note\": 1},"
            + " \"logprobs\": null, \"finish_reason\": \"stop\"}],\n"
            + "  \"usage\": {\"prompt_tokens\": 3, \"completion_tokens\": 2, \"total_tokens\": 5}, \"x_whole\": true\n}";

    /**
     * A real llama.cpp tool call cut off by {@code max_tokens} (its first chunks from
     * upstream-samples/llama.cpp/tools-stream.sse, then a finish with {@code "length"}): the
     * arguments stop at <code>{"ci</code>.
     */
    public static final List<String> LLAMA_CUT_TOOL = List.of(
            "{\"choices\":[{\"finish_reason\":null,\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":null}}],\"created\":1796149344,\"id\":\"chatcmpl-3qYEl9cdw8cEFHdu0Wg0FpPSDHFFlktP\",\"model\":\"tiny-random-llama\",\"system_fingerprint\":\"b1-80fb11a\",\"object\":\"chat.completion.chunk\"}",
            "{\"choices\":[{\"finish_reason\":null,\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"3rTrUNnomWaVb4ZnRhTbLsZFpNNke8nC\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":\"{\"}}]}}],\"created\":1796149344,\"id\":\"chatcmpl-3qYEl9cdw8cEFHdu0Wg0FpPSDHFFlktP\",\"model\":\"tiny-random-llama\",\"system_fingerprint\":\"b1-80fb11a\",\"object\":\"chat.completion.chunk\"}",
            "{\"choices\":[{\"finish_reason\":null,\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"\\\"\"}}]}}],\"created\":1796149344,\"id\":\"chatcmpl-3qYEl9cdw8cEFHdu0Wg0FpPSDHFFlktP\",\"model\":\"tiny-random-llama\",\"system_fingerprint\":\"b1-80fb11a\",\"object\":\"chat.completion.chunk\"}",
            "{\"choices\":[{\"finish_reason\":null,\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"ci\"}}]}}],\"created\":1796149344,\"id\":\"chatcmpl-3qYEl9cdw8cEFHdu0Wg0FpPSDHFFlktP\",\"model\":\"tiny-random-llama\",\"system_fingerprint\":\"b1-80fb11a\",\"object\":\"chat.completion.chunk\"}",
            "{\"choices\":[{\"finish_reason\":\"length\",\"index\":0,\"delta\":{}}],\"created\":1796149344,\"id\":\"chatcmpl-3qYEl9cdw8cEFHdu0Wg0FpPSDHFFlktP\",\"model\":\"tiny-random-llama\",\"system_fingerprint\":\"b1-80fb11a\",\"object\":\"chat.completion.chunk\"}");

    private static final FakeUpstream INSTANCE = start(0);
    private static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII);

    private final HttpServer server;
    private final ExecutorService threads;
    private final AtomicInteger active = new AtomicInteger();

    private FakeUpstream(HttpServer server, ExecutorService threads) {
        this.server = server;
        this.threads = threads;
    }

    /** The base URL of the fake every test shares, ending in {@code /v1}. */
    public static String url() {
        return INSTANCE.baseUrl();
    }

    /** The base URL of this fake, ending in {@code /v1}. */
    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    /** How many exchanges this fake is answering right now (a stream counts until its reader hangs up or it ends). */
    public int active() {
        return active.get();
    }

    /** Stops this fake (not the shared one's business: it lives as long as the test JVM). */
    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }

    /** The body the fake received for {@code key}; null if none. */
    public static String request(String key) {
        return BODIES.get(key);
    }

    /** The {@code Authorization} header the fake received for {@code key}; empty if none. */
    public static String authorization(String key) {
        return AUTHORIZATION.getOrDefault(key, "");
    }

    /** How often the fake was called for {@code key}. */
    public static int attempts(String key) {
        return ATTEMPTS.getOrDefault(key, 0);
    }

    /** Whether the relay hangs up on {@code key}'s stream within {@code millis}. */
    public static boolean awaitHungUp(String key, long millis) throws InterruptedException {
        return dev.chatws.testing.Await.until(java.time.Duration.ofMillis(millis), () -> hungUp(key));
    }

    /** Whether the relay closed the connection of {@code key}'s stream while the script was writing. */
    public static boolean hungUp(String key) {
        return HUNG_UP.containsKey(key);
    }

    /**
     * A fake of its own on 127.0.0.1:{@code port} (0: any free port), answering the same scripts:
     * for tests that count its streams, and for the benchmark, which runs it in a JVM of its own
     * ({@link #main}).
     */
    public static FakeUpstream start(int port) {
        try {
            // The JDK server keeps at most 200 idle keep-alive connections by default and drops the
            // rest, which a pooling client then finds closed; a real upstream keeps them far longer.
            System.setProperty("sun.net.httpserver.maxIdleConnections", "8192");
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 4096);
            ExecutorService threads = Executors.newCachedThreadPool(task -> {
                Thread thread = new Thread(task, "fake-upstream");
                thread.setDaemon(true);
                return thread;
            });
            server.setExecutor(threads);
            FakeUpstream fake = new FakeUpstream(server, threads);
            server.createContext("/v1/chat/completions", fake::handle);
            server.start();
            return fake;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs a fake on the port given (default: any) until the process is stopped; prints its base URL. */
    public static void main(String[] args) throws Exception {
        FakeUpstream fake = start(args.length > 0 ? Integer.parseInt(args[0]) : 0);
        System.out.println(fake.baseUrl());
        Thread.currentThread().join();
    }

    /** Microseconds since the epoch, comparable across processes on this machine (the {@code x_t} of paced chunks). */
    public static long nowMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    }

    private void handle(HttpExchange exchange) {
        active.incrementAndGet();
        String key = null;
        try (exchange) {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            JsonObject request = Json.createReader(new StringReader(body)).readObject();
            key = request.getString("x_key", request.getString("x_script", "text"));
            create(request, body, exchange.getRequestHeaders().getFirst("Authorization")).answer(exchange);
        } catch (IOException e) {
            if (key != null) {
                HUNG_UP.put(key, "yes");
            }
        } catch (RuntimeException e) {
            // The script ended the exchange: nothing more to answer.
        } finally {
            active.decrementAndGet();
        }
    }

    /** How the fake answers one exchange. */
    private interface Answer {
        void answer(HttpExchange exchange) throws IOException;
    }

    /** A script's body, written to the open stream. */
    private interface Body {
        void write(OutputStream out) throws IOException;
    }

    private static Answer create(JsonObject request, String body, String authorization) {
        // A request that asks for no stream and names no script (the server's own, such as a title request) gets the whole answer.
        String script = request.getString("x_script", request.getBoolean("stream", true) ? "text" : "whole");
        String key = request.getString("x_key", script);
        int attempt = ATTEMPTS.merge(key, 1, Integer::sum);
        BODIES.put(key, body);
        AUTHORIZATION.put(key, authorization == null ? "" : authorization);
        HUNG_UP.remove(key);
        return switch (script) {
            case "paced" -> paced(request);
            case "context" -> context(request);
            case "cut_tool" -> sse(out -> events(out, LLAMA_CUT_TOOL, "\n", true));
            case "text" -> sse(out -> events(out, TEXT, "\n", true));
            case "tools" -> sse(out -> events(out, TOOLS, "\n", true));
            case "logprobs" -> sse(out -> events(out, LOGPROBS, "\n", true));
            case "azure" -> sse(out -> {
                write(out, ": azure preamble\r\n\r\n");
                events(out, AZURE, "\r\n", true);
            });
            case "many" -> sse(out -> {
                StringBuilder all = new StringBuilder();
                for (int i = 0; i < 1000; i++) {
                    all.append("data: ").append(chunk("{\"content\":\"t" + i + " \"}", i == 999 ? "stop" : null)).append("\n\n");
                }
                write(out, all.append("data: [DONE]\n\n").toString());
            });
            case "finish_without_done" -> sse(out -> events(out, TEXT.subList(0, 5), "\n", false));
            case "cut" -> sse(out -> events(out, TEXT.subList(0, 3), "\n", false));
            case "error_event" -> sse(out -> {
                events(out, TEXT.subList(0, 1), "\n", false);
                write(out, "data: {\"error\":{\"message\":\"The server is overloaded\",\"type\":\"server_error\",\"code\":\"overloaded\"}}\n\n");
            });
            case "slow" -> sse(out -> slow(out, key));
            case "silent" -> sse(out -> pings(out, key));
            case "late" -> {
                pause(1500);
                yield sse(out -> pings(out, key));
            }
            case "flood" -> sse(out -> {
                String padding = "x".repeat(1000);
                try {
                    for (int i = 0; i < 50_000; i++) {
                        write(out, "data: " + chunk("{\"content\":\"" + padding + "\"}", null) + "\n\n");
                    }
                } catch (IOException e) {
                    HUNG_UP.put(key, "yes");
                    throw e;
                }
            });
            case "keepalive" -> sse(out -> {
                events(out, TEXT.subList(0, 1), "\n", false);
                pings(out, key);
            });
            case "stall" -> sse(out -> {
                events(out, TEXT.subList(0, 1), "\n", false);
                pause(6000);
            });
            case "deep_event" -> sse(out -> {
                events(out, TEXT.subList(0, 1), "\n", false);
                write(out, "data: {\"choices\":" + "[".repeat(1001) + "]".repeat(1001) + "}\n\n");
                events(out, TEXT.subList(1, TEXT.size()), "\n", true);
            });
            case "big_numbers" -> sse(out -> events(out, BIG_NUMBERS, "\n", true));
            case "surrogate" -> sse(out -> events(out, SURROGATE, "\n", true));
            case "deep_error" -> status(400, null, "{\"error\":" + "[".repeat(1001) + "]".repeat(1001) + "}");
            case "whole" -> status(200, null, WHOLE);
            case "retry429" -> attempt == 1
                    ? status(429, "1", "{\"error\":{\"message\":\"slow down\",\"code\":\"rate_limit\"}}")
                    : sse(out -> events(out, TEXT, "\n", true));
            case "retry503date" -> attempt == 1
                    ? status(503, java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME
                            .format(java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC).plusSeconds(1)), null)
                    : sse(out -> events(out, TEXT, "\n", true));
            default -> {
                int status = Integer.parseInt(script.replace("status", ""));
                yield status(status, null,
                        "{\"error\":{\"message\":\"Incorrect API key provided: sk-live-SECRET\",\"type\":\"invalid_request_error\",\"code\":\"fake_code\"}}");
            }
        };
    }

    /** A chunk of the fake model with {@code delta} and {@code finish_reason}. */
    public static String chunk(String delta, String finishReason) {
        return "{\"id\":\"c-f\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"fake-1\",\"choices\":[{\"index\":0,\"delta\":"
                + delta + ",\"logprobs\":null,\"finish_reason\":" + (finishReason == null ? "null" : "\"" + finishReason + "\"") + "}]}";
    }

    /**
     * The benchmark's script: {@code x_chunks} chunks (default 16), one every {@code x_gap_ms}
     * (20), the first after {@code x_first_ms} (0), each stamped with {@code x_i} (its number) and
     * {@code x_t} (when it was written, {@link #nowMicros()}), so a reader can tell how late each
     * arrived and whether any was lost or reordered; then a usage chunk and {@code [DONE]}.
     * Without streaming, one short completion stamped with {@code x_t}.
     */
    private static Answer paced(JsonObject request) {
        int chunks = intOr(request.get("x_chunks"), 16);
        long gapNanos = intOr(request.get("x_gap_ms"), 20) * 1_000_000L;
        long firstNanos = intOr(request.get("x_first_ms"), 0) * 1_000_000L;
        String model = request.getString("model", "paced");
        if (request.get("stream") == JsonValue.FALSE) {
            return status(200, null, "{\"id\":\"chatcmpl-paced\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"" + model + "\","
                    + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"ok\"},\"logprobs\":null,\"finish_reason\":\"stop\"}],"
                    + "\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1,\"total_tokens\":2},\"x_t\":" + nowMicros() + "}");
        }
        return exchange -> {
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
            out.close();
        };
    }

    /**
     * A model with a context of {@code x_ctx} tokens (a token here: 4 characters of content, plus 4
     * per message): a longer prompt is refused with llama.cpp's own 400 (captured from a real
     * server, with this prompt's sizes), a shorter one gets the "text" stream.
     */
    private static Answer context(JsonObject request) {
        int context = intOr(request.get("x_ctx"), 1000);
        int prompt = 0;
        for (JsonValue message : request.getJsonArray("messages")) {
            JsonValue content = message.asJsonObject().get("content");
            prompt += 4 + (content instanceof jakarta.json.JsonString text ? text.getString().length() / 4 : 0);
        }
        if (prompt <= context) {
            return sse(out -> events(out, TEXT, "\n", true));
        }
        return status(400, null, "{\"error\":{\"code\":400,\"message\":\"request (" + prompt + " tokens) exceeds the available context size ("
                + context + " tokens), try increasing it\",\"type\":\"exceed_context_size_error\",\"n_prompt_tokens\":" + prompt
                + ",\"n_ctx\":" + context + "}}");
    }

    private static int intOr(JsonValue value, int fallback) {
        return value instanceof JsonNumber number ? number.intValue() : fallback;
    }

    /** A chunk every 50 ms for 30 s, noting when the relay hangs up. */
    private static void slow(OutputStream out, String key) throws IOException {
        try {
            for (int i = 0; i < 600; i++) {
                write(out, "data: " + chunk("{\"content\":\"s" + i + " \"}", null) + "\n\n");
                Thread.sleep(50);
            }
            write(out, "data: [DONE]\n\n");
        } catch (IOException e) {
            HUNG_UP.put(key, "yes");
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A keep-alive comment every 50 ms for 6 s, noting when the relay hangs up. */
    private static void pings(OutputStream out, String key) throws IOException {
        try {
            for (int i = 0; i < 120; i++) {
                write(out, ": ping\n\n");
                Thread.sleep(50);
            }
        } catch (IOException e) {
            HUNG_UP.put(key, "yes");
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void events(OutputStream out, List<String> chunks, String lineEnd, boolean done) throws IOException {
        for (String chunk : chunks) {
            write(out, "data: " + chunk + lineEnd + lineEnd);
        }
        if (done) {
            write(out, "data: [DONE]" + lineEnd + lineEnd);
        }
    }

    private static void write(OutputStream out, String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /**
     * An SSE answer: status 200, then the body streamed (chunked), each write flushed. It opens
     * with a comment, as a real server's keep-alive would.
     */
    private static Answer sse(Body body) {
        return exchange -> {
            exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
            exchange.sendResponseHeaders(200, 0);
            OutputStream out = exchange.getResponseBody();
            write(out, ": fake upstream\n\n");
            body.write(out);
            out.close();
        };
    }

    /** A whole answer with {@code status}, a {@code Retry-After} header if not null, and a JSON body if not null. */
    private static Answer status(int status, String retryAfter, String json) {
        return exchange -> {
            if (retryAfter != null) {
                exchange.getResponseHeaders().set("Retry-After", retryAfter);
            }
            byte[] bytes = json == null ? new byte[0] : json.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
            if (bytes.length > 0) {
                exchange.getResponseBody().write(bytes);
            }
        };
    }
}
