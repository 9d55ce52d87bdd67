package dev.chatws.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A real WebSocket client (the JDK's) for the integration tests: it collects every text frame the
 * server sends and the close code, and reads them with timeouts that fail the test.
 */
public final class ChatClient implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    private final BlockingQueue<String> frames = new LinkedBlockingQueue<>();
    private final CountDownLatch closed = new CountDownLatch(1);
    private volatile boolean paused;
    private volatile int closeCode = -1;
    private final WebSocket socket;

    private ChatClient(URI uri, Map<String, String> headers, String... subprotocols) {
        WebSocket.Builder builder = HTTP.newWebSocketBuilder().connectTimeout(TIMEOUT);
        headers.forEach(builder::header);
        if (subprotocols.length > 0) {
            builder.subprotocols(subprotocols[0], java.util.Arrays.copyOfRange(subprotocols, 1, subprotocols.length));
        }
        this.socket = builder.buildAsync(uri, new Collector()).join();
    }

    /** Connects like {@link #connect(URI, String)}, offering {@code subprotocols} (as a browser sends its token). */
    public static ChatClient connectOffering(URI base, String query, String... subprotocols) {
        String ws = base.toString().replaceFirst("^http", "ws");
        return new ChatClient(URI.create(ws + (ws.endsWith("/") ? "" : "/") + "chat" + (query == null ? "" : "?" + query)), Map.of(), subprotocols);
    }

    /** The subprotocol the server selected; empty for none. */
    public String subprotocol() {
        return socket.getSubprotocol();
    }

    /** Connects like {@link #connect(URI, String)}, with {@code headers} on the upgrade request. */
    public static ChatClient connect(URI base, String query, Map<String, String> headers) {
        String ws = base.toString().replaceFirst("^http", "ws");
        return new ChatClient(URI.create(ws + (ws.endsWith("/") ? "" : "/") + "chat" + (query == null ? "" : "?" + query)), headers);
    }

    /** Connects to {@code ws…/chat} under {@code base} (the deployment's http URL), with {@code query} if not null. */
    public static ChatClient connect(URI base, String query) {
        return connect(base, query, Map.of());
    }

    /** The HTTP status of a WebSocket handshake sent with {@code origin} as its Origin header: 101 when upgraded. */
    public static int handshakeStatus(URI base, String origin) {
        String ws = base.toString().replaceFirst("^http", "ws");
        try {
            WebSocket socket = HTTP.newWebSocketBuilder().header("Origin", origin)
                    .buildAsync(URI.create(ws + (ws.endsWith("/") ? "" : "/") + "chat"), new WebSocket.Listener() { }).join();
            socket.abort();
            return 101;
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof java.net.http.WebSocketHandshakeException refused) {
                return refused.getResponse().statusCode();
            }
            throw e;
        }
    }

    /** Connects and reads the conversation frame every connection starts with. */
    public static ChatClient open(URI base) {
        ChatClient client = connect(base, null);
        JsonObject first = client.nextJson();
        assertEquals("conversation", first.getString("object"), "the first frame is the conversation frame");
        return client;
    }

    /**
     * Whether conversation {@code id} can be reattached: true when the server answers with its
     * conversation frame, false when it closes the socket with 4404; fails on anything else.
     */
    public static boolean reattachable(URI base, String id) throws InterruptedException {
        int closed = closeCodeOrZero(base, "conversation=" + id);
        if (closed != 0) {
            assertEquals(4404, closed);
        }
        return closed == 0;
    }

    /** Connects with {@code query} (or none): 0 when the conversation frame comes, else the code the server closed with. */
    public static int closeCodeOrZero(URI base, String query) throws InterruptedException {
        try (ChatClient client = connect(base, query)) {
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (System.nanoTime() < deadline) {
                String frame = client.frames.poll(10, TimeUnit.MILLISECONDS);
                if (frame != null) {
                    assertEquals("conversation", json(frame).getString("object"), frame);
                    return 0;
                }
                if (client.closed.getCount() == 0) {
                    return client.closeCode;
                }
            }
            throw new AssertionError("neither a conversation frame nor a close within " + TIMEOUT);
        }
    }

    /** Stops reading from the socket after the next frame: the server's frames back up. */
    public void pauseReading() {
        paused = true;
    }

    /** Reads again. */
    public void resumeReading() {
        paused = false;
        socket.request(1);
    }

    public void send(String text) {
        socket.sendText(text, true).join();
    }

    public void sendBinary(byte[] data) {
        socket.sendBinary(ByteBuffer.wrap(data), true).join();
    }

    /** The next frame's text; fails if none comes in time. */
    public String next() {
        return next(TIMEOUT);
    }

    /** The next frame's text; fails if none comes within {@code timeout}. */
    public String next(Duration timeout) {
        try {
            String frame = frames.poll(Math.max(0, timeout.toMillis()), TimeUnit.MILLISECONDS);
            assertNotNull(frame, "a frame within " + timeout);
            return frame;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    public JsonObject nextJson() {
        return json(next());
    }

    /** The frames of one turn, up to and including its terminal frame. */
    public List<String> turn() {
        List<String> turn = new ArrayList<>();
        while (true) {
            String frame = next();
            turn.add(frame);
            JsonObject object = json(frame);
            if ("chat.completion".equals(object.getString("object", null)) || object.containsKey("error")) {
                return turn;
            }
        }
    }

    /** Whether a frame arrives within {@code millis}. */
    public boolean quietFor(long millis) throws InterruptedException {
        return frames.poll(millis, TimeUnit.MILLISECONDS) == null;
    }

    /** Waits for the server to close the socket and returns the close code. */
    public int awaitClose() throws InterruptedException {
        assertTrue(closed.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS), "the server closes the socket");
        return closeCode;
    }

    @Override
    public void close() {
        if (!socket.isOutputClosed()) {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").exceptionally(e -> null);
        }
        socket.abort();
    }

    /** The last frame of {@code turn}: its terminal frame. */
    public static String last(List<String> turn) {
        return turn.get(turn.size() - 1);
    }

    /** {@code base} (an {@code @ArquillianResource} URL) as a URI. */
    public static URI uri(java.net.URL base) {
        try {
            return base.toURI();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The committed history (the active path), asked with {@code conversation.get}. */
    public jakarta.json.JsonArray history() {
        send("{\"type\":\"conversation.get\"}");
        JsonObject frame = nextJson();
        assertEquals("conversation", frame.getString("object"));
        return frame.getJsonArray("messages");
    }

    /**
     * One HTTP request to the API: {@code method} on {@code uri}, with {@code token} as bearer
     * (null: none) and {@code body} as JSON (null: none).
     */
    public static java.net.http.HttpResponse<String> http(String method, URI uri, String token, String body) {
        java.net.http.HttpRequest.Builder request = java.net.http.HttpRequest.newBuilder(uri).timeout(TIMEOUT)
                .method(method, body == null ? java.net.http.HttpRequest.BodyPublishers.noBody() : java.net.http.HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        try {
            return HTTP.send(request.build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public static JsonObject json(String text) {
        return Json.createReader(new StringReader(text)).readObject();
    }

    private final class Collector implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                frames.add(partial.toString());
                partial.setLength(0);
            }
            if (!paused || !last) {
                webSocket.request(1);
            }
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closeCode = statusCode;
            closed.countDown();
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closed.countDown();
        }
    }
}
