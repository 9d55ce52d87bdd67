package dev.chatws.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Liveness (here: pings every 0.3 s, idle after 2 s): a client that answers pings but sends
 * nothing is closed with 1008 as idle; one that does not answer a ping is closed with 1008; a
 * client that keeps talking stays. And the server does not take permessage-deflate (no
 * compression bombs, no per-socket inflater), nor keep an HTTP session per upgrade.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class LivenessIT {

    @ArquillianResource
    URL base;

    /** The response head of the last {@link #handshake(String)}. */
    private String head;

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.simulated("chat-liveness", "chat.ping-interval=PT0.3S", "chat.idle-timeout=PT2S");
    }

    @Test
    void aClientThatSendsNothingIsClosedAsIdleOneThatTalksStays() throws Exception {
        try (ChatClient silent = ChatClient.open(base.toURI()); ChatClient talking = ChatClient.open(base.toURI())) {
            long start = System.nanoTime();
            for (int i = 0; i < 6; i++) {
                talking.send("{\"type\":\"conversation.get\"}");
                assertEquals("conversation", talking.nextJson().getString("object"));
                Thread.sleep(500);
            }
            assertEquals(1008, silent.awaitClose());
            assertTrue(System.nanoTime() - start >= 1_900_000_000L, "not before the idle timeout");
            talking.send("{\"type\":\"conversation.get\"}");
            assertEquals("conversation", talking.nextJson().getString("object"), "3 s on, the talking client is still served");
        }
    }

    @Test
    void aClientThatDoesNotAnswerPingsIsClosedWith1008() throws Exception {
        try (Socket socket = handshake(null)) {
            DataInputStream in = new DataInputStream(socket.getInputStream());
            List<Integer> opcodes = new ArrayList<>();
            int closeCode = -1;
            while (closeCode < 0) {
                int first = in.readUnsignedByte();
                int length = in.readUnsignedByte() & 0x7f;
                if (length == 126) {
                    length = in.readUnsignedShort();
                } else if (length == 127) {
                    length = (int) in.readLong();
                }
                byte[] payload = in.readNBytes(length);
                int opcode = first & 0x0f;
                opcodes.add(opcode);
                if (opcode == 0x8) {
                    closeCode = ((payload[0] & 0xff) << 8) | (payload[1] & 0xff);
                }
            }
            assertEquals(1008, closeCode, "frames seen: " + opcodes);
            assertEquals(0x1, opcodes.get(0), "the conversation frame first");
            assertTrue(opcodes.contains(0x9), "pinged before being closed: " + opcodes);
        }
    }

    @Test
    void permessageDeflateIsNotNegotiated() throws Exception {
        try (Socket socket = handshake("permessage-deflate; client_max_window_bits")) {
            assertFalse(head.toLowerCase(Locale.ROOT).contains("sec-websocket-extensions"), "no extension accepted\n" + head);
            int first = new DataInputStream(socket.getInputStream()).readUnsignedByte();
            assertEquals(0x81, first, "the conversation frame is a final text frame with RSV1 clear: not compressed");
        }
    }

    @Test
    void anUpgradeCreatesNoHttpSession() throws Exception {
        try (Socket socket = handshake(null)) {
            assertFalse(head.toLowerCase(Locale.ROOT).contains("set-cookie"),
                    "no session cookie: the server would keep a session per handshake for 30 minutes\n" + head);
        }
    }

    /** Opens {@code /chat} by hand (offering {@code extensions} if not null); asserts the 101 and that no extension was accepted. */
    private Socket handshake(String extensions) throws IOException {
        Socket socket = new Socket(base.getHost(), base.getPort());
        socket.setSoTimeout(20_000);
        String key = Base64.getEncoder().encodeToString("chat-ws-liveness".getBytes(StandardCharsets.US_ASCII));
        String request = "GET " + base.getPath() + "chat HTTP/1.1\r\n"
                + "Host: " + base.getHost() + ":" + base.getPort() + "\r\n"
                + "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: 13\r\n"
                + (extensions == null ? "" : "Sec-WebSocket-Extensions: " + extensions + "\r\n")
                + "\r\n";
        OutputStream out = socket.getOutputStream();
        out.write(request.getBytes(StandardCharsets.US_ASCII));
        out.flush();
        head = readHead(socket.getInputStream());
        assertTrue(head.startsWith("HTTP/1.1 101"), head);
        assertFalse(head.toLowerCase(Locale.ROOT).contains("sec-websocket-extensions"), head);
        return socket;
    }

    private static String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.append((char) b);
        }
        return head.toString();
    }
}
