package dev.chatws.fake;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An upstream that accepts the connection, reads the request and never sends a byte: no status
 * line, no headers. It notes, per {@code x_key} of the request, when the relay closed the
 * connection ({@link System#nanoTime()}), which only a raw socket can see while it is not writing.
 * For tests of letting go of a call that has no answer yet. In the test JVM; thread-safe.
 */
public final class MuteUpstream {

    private static final Pattern KEY = Pattern.compile("\"x_key\"\\s*:\\s*\"([^\"]+)\"");
    private static final Map<String, Long> RECEIVED = new ConcurrentHashMap<>();
    private static final Map<String, Long> CLOSED = new ConcurrentHashMap<>();
    private static final ServerSocket SERVER = start();

    private MuteUpstream() {
    }

    /** The base URL, ending in {@code /v1}. */
    public static String url() {
        return "http://127.0.0.1:" + SERVER.getLocalPort() + "/v1";
    }

    /** Whether the request of {@code key} arrived. */
    public static boolean received(String key) {
        return RECEIVED.containsKey(key);
    }

    /** When the relay closed the connection of {@code key} (nanoTime); null while it is open. */
    public static Long closedAt(String key) {
        return CLOSED.get(key);
    }

    private static ServerSocket start() {
        try {
            ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread acceptor = new Thread(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket socket = server.accept();
                        Thread holder = new Thread(() -> hold(socket), "mute-upstream");
                        holder.setDaemon(true);
                        holder.start();
                    } catch (IOException e) {
                        return;
                    }
                }
            }, "mute-upstream-acceptor");
            acceptor.setDaemon(true);
            acceptor.start();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads the request, then waits for the end of the stream or an error: the relay hung up. */
    private static void hold(Socket socket) {
        String key = null;
        try (socket) {
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream seen = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            int read;
            while ((read = in.read(buffer)) >= 0) {
                if (key == null) {
                    seen.write(buffer, 0, read);
                    Matcher matcher = KEY.matcher(seen.toString(StandardCharsets.UTF_8));
                    if (matcher.find()) {
                        key = matcher.group(1);
                        RECEIVED.put(key, System.nanoTime());
                    }
                }
            }
        } catch (IOException e) {
            // A reset: hung up as well.
        } finally {
            if (key != null) {
                CLOSED.put(key, System.nanoTime());
            }
        }
    }
}
