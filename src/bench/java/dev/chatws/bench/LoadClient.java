package dev.chatws.bench;

import dev.chatws.fake.FakeUpstream;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The benchmark's client. It opens real WebSocket connections to the relay (the JDK's client),
 * spread over several 127.0.0.x source addresses where the JDK can bind one (Java 19+), and reads
 * the same streams straight from the upstream over SSE for the floor. Each frame is timed the
 * moment it arrives, before anything else is done with it.
 *
 * <p>Thread-safe; callbacks run on the HTTP clients' executors.
 */
public final class LoadClient {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final URI chat;
    private final URI upstream;
    private final List<HttpClient> clients = new ArrayList<>();
    private final AtomicInteger next = new AtomicInteger();

    /**
     * A client of the relay at {@code chat} ({@code ws://…/chat}) and its upstream at
     * {@code upstream} ({@code …/v1}), connecting from 127.0.0.1 … 127.0.0.{@code sourceAddresses}
     * in turn where the JDK can bind a source address, else from the system's choice.
     */
    public LoadClient(URI chat, URI upstream, int sourceAddresses) {
        this.chat = chat;
        this.upstream = upstream;
        for (int i = 1; i <= sourceAddresses; i++) {
            HttpClient client = boundClient(i);
            if (client == null) {
                clients.clear();
                clients.add(HttpClient.newBuilder().connectTimeout(TIMEOUT).build());
                break;
            }
            clients.add(client);
        }
    }

    /** How many source addresses the connections are spread over. */
    public int sourceAddresses() {
        return clients.size();
    }

    /** A client bound to 127.0.0.{@code lastOctet}; null where the JDK cannot bind one (before Java 19). */
    private static HttpClient boundClient(int lastOctet) {
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(TIMEOUT);
        try {
            InetAddress source = InetAddress.getByName("127.0.0." + lastOctet);
            HttpClient.Builder.class.getMethod("localAddress", InetAddress.class).invoke(builder, source);
            return builder.build();
        } catch (ReflectiveOperationException | java.net.UnknownHostException e) {
            return null;
        }
    }

    private HttpClient nextClient() {
        return clients.get(Math.floorMod(next.getAndIncrement(), clients.size()));
    }

    /** Opens a socket on a new conversation; completes once its conversation frame arrived. */
    public CompletableFuture<Socket> open() {
        Socket socket = new Socket();
        return nextClient().newWebSocketBuilder().connectTimeout(TIMEOUT).buildAsync(chat, socket)
                .thenCompose(ws -> socket.opened);
    }

    /** Opens a socket on conversation {@code id}; completes once its conversation frame arrived. */
    public CompletableFuture<Socket> reattach(String id) {
        Socket socket = new Socket();
        return nextClient().newWebSocketBuilder().connectTimeout(TIMEOUT).buildAsync(URI.create(chat + "?conversation=" + id), socket)
                .thenCompose(ws -> socket.opened);
    }

    /** A streamed turn's body asking the paced upstream for {@code chunks} chunks, {@code gapMs} apart. */
    public static String request(int chunks, int gapMs, boolean stream) {
        return "{\"messages\":[{\"role\":\"user\",\"content\":\"go\"}],\"stream\":" + stream
                + ",\"x_script\":\"paced\",\"x_chunks\":" + chunks + ",\"x_gap_ms\":" + gapMs + "}";
    }

    /** Reads the same stream directly from the upstream over SSE. */
    public CompletableFuture<Stream> floor(int chunks, int gapMs) {
        Stream stream = new Stream(chunks);
        String body = "{\"model\":\"paced\",\"messages\":[{\"role\":\"user\",\"content\":\"go\"}],\"stream\":true,"
                + "\"stream_options\":{\"include_usage\":true},\"x_script\":\"paced\",\"x_chunks\":" + chunks + ",\"x_gap_ms\":" + gapMs + "}";
        HttpRequest request = HttpRequest.newBuilder(upstream.resolve(upstream.getPath() + "/chat/completions"))
                .timeout(TIMEOUT).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        stream.sent = FakeUpstream.nowMicros();
        nextClient().sendAsync(request, HttpResponse.BodyHandlers.fromLineSubscriber(new Flow.Subscriber<String>() {
            @Override
            public void onSubscribe(Flow.Subscription subscription) {
                subscription.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(String line) {
                long now = FakeUpstream.nowMicros();
                if (line.startsWith("data: {") && line.contains("\"x_t\":")) {
                    stream.chunk(now, line);
                }
            }

            @Override
            public void onError(Throwable error) {
                stream.done.completeExceptionally(error);
            }

            @Override
            public void onComplete() {
                stream.done.complete(stream);
            }
        })).exceptionally(error -> {
            stream.done.completeExceptionally(error);
            return null;
        });
        return stream.done;
    }

    /** One turn's measurements: when it was sent, and each chunk's arrival and stamp. */
    public static final class Stream {
        final int expected;
        final long[] arrived;
        final long[] stamped;
        final int[] order;
        int received;
        volatile long sent;
        final CompletableFuture<Stream> done = new CompletableFuture<>();

        Stream(int expected) {
            this.expected = expected;
            this.arrived = new long[expected];
            this.stamped = new long[expected];
            this.order = new int[expected];
        }

        synchronized void chunk(long now, String json) {
            if (received < expected) {
                arrived[received] = now;
                stamped[received] = number(json, "\"x_t\":");
                order[received] = (int) number(json, "\"x_i\":");
            }
            received++;
        }

        /** Time to the first chunk, in microseconds. */
        public long firstChunkMicros() {
            return arrived[0] - sent;
        }

        /** Whether exactly the chunks 0…n-1 arrived, each once, in order. */
        public boolean intact() {
            if (received != expected) {
                return false;
            }
            for (int i = 0; i < expected; i++) {
                if (order[i] != i) {
                    return false;
                }
            }
            return true;
        }

        /** Each chunk's time from the upstream writing it to the client reading it, microseconds. */
        public long[] latencies() {
            long[] out = new long[Math.min(received, expected)];
            for (int i = 0; i < out.length; i++) {
                out[i] = arrived[i] - stamped[i];
            }
            return out;
        }

        /** The longest any chunk took from the upstream writing it to the client reading it, microseconds. */
        public long longestLatency() {
            long longest = 0;
            for (long latency : latencies()) {
                longest = Math.max(longest, latency);
            }
            return longest;
        }

        private static long number(String json, String key) {
            int at = json.indexOf(key);
            if (at < 0) {
                return -1;
            }
            long value = 0;
            for (int i = at + key.length(); i < json.length() && Character.isDigit(json.charAt(i)); i++) {
                value = value * 10 + (json.charAt(i) - '0');
            }
            return value;
        }
    }

    /** A socket to the relay: one conversation, one turn at a time. */
    public static final class Socket implements WebSocket.Listener {
        private final CompletableFuture<Socket> opened = new CompletableFuture<>();
        private final StringBuilder partial = new StringBuilder();
        private WebSocket webSocket;
        private volatile Stream current;
        private volatile String id;

        @Override
        public void onOpen(WebSocket ws) {
            this.webSocket = ws;
            ws.request(1);
        }

        /** Sends {@code body} and completes when its terminal frame arrived. */
        public CompletableFuture<Stream> turn(String body, int chunks) {
            Stream stream = new Stream(chunks);
            current = stream;
            stream.sent = FakeUpstream.nowMicros();
            webSocket.sendText(body, true);
            return stream.done;
        }

        /** Expects a turn that another socket sends; completes when its terminal frame arrived. */
        public CompletableFuture<Stream> watch(int chunks) {
            Stream stream = new Stream(chunks);
            current = stream;
            return stream.done;
        }

        /** The conversation's id, from its conversation frame. */
        public String id() {
            return id;
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            long now = FakeUpstream.nowMicros();
            String frame;
            if (partial.length() == 0 && last) {
                frame = data.toString();
            } else {
                partial.append(data);
                if (!last) {
                    ws.request(1);
                    return null;
                }
                frame = partial.toString();
                partial.setLength(0);
            }
            Stream stream = current;
            if (!opened.isDone()) {
                int at = frame.indexOf("\"id\":\"");
                id = at < 0 ? null : frame.substring(at + 6, frame.indexOf('"', at + 6));
                opened.complete(this);
            } else if (stream != null) {
                if (frame.contains("\"x_t\":") && frame.contains("chat.completion.chunk")) {
                    stream.chunk(now, frame);
                } else if (frame.startsWith("{\"error\"")) {
                    stream.done.completeExceptionally(new IllegalStateException(frame));
                } else if (frame.contains("\"object\":\"chat.completion\"")) {
                    stream.done.complete(stream);
                }
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
            ws.request(1);
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            opened.completeExceptionally(error);
            Stream stream = current;
            if (stream != null) {
                stream.done.completeExceptionally(error);
            }
        }

        /** Closes the socket. */
        public CompletableFuture<WebSocket> close() {
            return webSocket.sendClose(WebSocket.NORMAL_CLOSURE, "");
        }

        /** Drops the connection without a closing handshake. */
        public void abort() {
            webSocket.abort();
        }
    }
}
