package dev.chatws.it;

import static dev.chatws.it.ChatClient.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chatws.fake.FakeUpstream;
import dev.chatws.slow.SlowStore;
import jakarta.json.JsonObject;
import java.net.URL;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A database that takes {@link SlowStore#COMMIT_MILLIS} ms per commit holds up nothing but the turn
 * being committed: no database call runs under a conversation's lock, and the watchdog that ends
 * every conversation's quiet upstream calls never waits for one.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class SlowStoreIT {

    @ArquillianResource
    URL base;

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.withFakeUpstream("chat-slow-store", "sk-test-7f3a9c-slow",
                "chat.upstream.first-chunk-timeout=PT1.5S", "chat.upstream.idle-timeout=PT1S")
                .addClass(SlowStore.class);
    }

    @Test
    void anotherConversationsFirstChunkTimeoutIsNotHeldUpByASlowCommit() throws Exception {
        try (ChatClient committing = ChatClient.open(base.toURI()); ChatClient waiting = ChatClient.open(base.toURI())) {
            committing.send("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"x_script\":\"text\"}");
            for (String chunk : FakeUpstream.TEXT) {
                assertEquals(chunk, committing.next(), "relayed");
            }
            // The turn is complete; its commit takes 3 s, and its call (done, quiet for 1 s) is overdue for the
            // watchdog 1 s from now, half a second before this conversation's first-chunk timeout.
            waiting.send("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"x_script\":\"silent\"}");
            JsonObject timedOut = waiting.nextJson();
            assertEquals("upstream_timeout", timedOut.getJsonObject("error").getString("code"), timedOut.toString());
            assertTrue(committing.quietFor(0), "the other conversation timed out while the slow commit was still running");
            assertEquals("chat.completion", json(committing.next()).getString("object"), "then the committed turn's terminal frame");
        }
    }
}
