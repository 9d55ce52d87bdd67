package dev.chatws.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletionException;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A client that floods: bad frames are logged once per socket and kind (then counted), and a
 * socket over {@code chat.limits.frames-per-second} (default 20, bursts of
 * {@code chat.limits.frame-burst}, 40) is closed with 1008; other conversations are served meanwhile.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class FloodIT {

    private static final Path LOG = Path.of(System.getProperty("wlp.home", "target/liberty/wlp"), "usr/servers/arquillian/logs/messages.log");

    @ArquillianResource
    URL base;

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.simulated("chat-flood", "chat.simulator.first-token-delay=0", "chat.simulator.tokens-per-second=2000");
    }

    @Test
    void badFramesWithinTheRateAreEachAnsweredAndLoggedOnce() throws Exception {
        String id;
        try (ChatClient client = ChatClient.connect(uri(), null)) {
            id = client.nextJson().getString("id");
            for (int i = 0; i < 30; i++) {
                client.send("not json " + i);
                assertEquals("invalid_json", client.nextJson().getJsonObject("error").getString("code"), "frame " + i);
            }
            assertTrue(ConversationStoreIT.turn(client, "still here").contains("turn 1"), "the socket goes on");
        }
        assertEquals(1, logLines(id, "rejected a frame"), "one line for 30 bad frames");
    }

    @Test
    void aSocketOverTheFrameRateIsClosedWith1008AndOthersAreServed() throws Exception {
        String id;
        try (ChatClient flooding = ChatClient.connect(uri(), null); ChatClient other = ChatClient.open(uri())) {
            id = flooding.nextJson().getString("id");
            int sent = 0;
            try {
                for (; sent < 5000; sent++) {
                    flooding.send("{\"type\":\"flood\",\"n\":" + sent + "}");
                }
            } catch (CompletionException closed) {
                // The server closed the socket: the rest cannot be sent.
            }
            assertEquals(1008, flooding.awaitClose(), "closed after " + sent + " frames");
            assertTrue(ConversationStoreIT.turn(other, "served meanwhile").contains("turn 1"), "another conversation is served");
        }
        long lines = logLines(id, "");
        assertTrue(lines <= 3, "a few log lines for a flood, not one per frame: " + lines);
        assertEquals(1, logLines(id, "faster than chat.limits.frames-per-second"));
    }

    /** Lines of the server log about conversation {@code id} (by its redacted form) that contain {@code text}. */
    private static long logLines(String id, String text) throws Exception {
        String redacted = id.substring(0, 9);
        return Files.readAllLines(LOG).stream().filter(line -> line.contains(redacted) && line.contains(text)).count();
    }

    private URI uri() {
        try {
            return base.toURI();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
