package dev.chatws.it;

import static dev.chatws.it.ChatClient.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chatws.fake.MuteUpstream;
import dev.chatws.testing.Await;
import jakarta.json.JsonObject;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * An upstream that accepts the connection and never sends a byte (no status line): whatever ends
 * the turn while the call waits for its answer — the first-chunk timeout, a cancel, the resume
 * grace running out, an erasure — closes the upstream connection within a second.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class SilentUpstreamIT {

    private static final long ONE_SECOND = 1_000_000_000L;

    @ArquillianResource
    URL base;

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.withUpstream("chat-silent", MuteUpstream.url(),
                "chat.upstream.first-chunk-timeout=PT2S", "chat.resume.grace=PT1S", "chat.upstream.retries=0");
    }

    @Test
    void theFirstChunkTimeoutClosesACallThatGotNoStatusLine() throws Exception {
        try (ChatClient client = ChatClient.open(uri())) {
            ask(client, "mute-timeout");
            JsonObject error = client.nextJson().getJsonObject("error");
            long answered = System.nanoTime();
            assertEquals("upstream_timeout", error.getString("code"));
            assertClosedWithinASecondOf(answered, "mute-timeout");
        }
    }

    @Test
    void aCancelClosesACallThatGotNoStatusLine() throws Exception {
        try (ChatClient client = ChatClient.open(uri())) {
            ask(client, "mute-cancel");
            client.send("{\"type\":\"response.cancel\"}");
            List<String> turn = client.turn();
            long answered = System.nanoTime();
            assertEquals("cancelled", json(turn.get(turn.size() - 1)).getJsonArray("choices").getJsonObject(0).getString("finish_reason"));
            assertClosedWithinASecondOf(answered, "mute-cancel");
        }
    }

    @Test
    void theGraceRunningOutClosesACallThatGotNoStatusLine() throws Exception {
        ChatClient client = ChatClient.open(uri());
        ask(client, "mute-grace");
        client.close();
        long left = System.nanoTime();
        // The grace is 1 s: closed after it, within a second more.
        Long closed = awaitClosed("mute-grace", 3 * ONE_SECOND);
        assertNotNull(closed, "the upstream connection was closed after the grace");
        assertTrue(closed - left < 2 * ONE_SECOND, "closed " + (closed - left) / 1_000_000 + " ms after the socket left");
    }

    @Test
    void anErasureClosesACallThatGotNoStatusLine() throws Exception {
        try (ChatClient client = ChatClient.connect(uri(), null)) {
            String id = client.nextJson().getString("id");
            ask(client, "mute-erase");
            HttpResponse<Void> deleted = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(uri().resolve("api/conversations/" + id)).DELETE().build(), HttpResponse.BodyHandlers.discarding());
            long answered = System.nanoTime();
            assertEquals(204, deleted.statusCode());
            assertClosedWithinASecondOf(answered, "mute-erase");
            assertEquals(4404, client.awaitClose());
        }
    }

    private static void ask(ChatClient client, String key) throws InterruptedException {
        client.send("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"x_key\":\"" + key + "\"}");
        assertTrue(Await.until(Duration.ofSeconds(10), () -> MuteUpstream.received(key)), "the request reached the upstream, which answers nothing");
    }

    private static void assertClosedWithinASecondOf(long answered, String key) throws InterruptedException {
        Long closed = awaitClosed(key, 3 * ONE_SECOND);
        assertNotNull(closed, "the upstream connection was closed");
        assertTrue(closed - answered < ONE_SECOND, "closed " + (closed - answered) / 1_000_000 + " ms after the turn ended");
    }

    private static Long awaitClosed(String key, long nanos) throws InterruptedException {
        return Await.value(Duration.ofNanos(nanos), Duration.ofMillis(10), () -> MuteUpstream.closedAt(key), closed -> closed != null);
    }

    private URI uri() {
        try {
            return base.toURI();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
