package dev.chatws.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chatws.testing.Await;
import java.net.URI;
import java.net.URL;
import java.time.Duration;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Retention: a conversation no turn committed to for longer than {@code chat.retention} (here
 * 1 s, swept every 0.2 s) is deleted, in memory and in the store; one a socket is still attached
 * to is kept.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class RetentionIT {

    @ArquillianResource
    URL base;

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.simulated("chat-retention",
                "chat.retention=PT1S",
                "chat.retention.interval=PT0.2S",
                "chat.conversation.unload-after=PT0.1S");
    }

    @Test
    void idleConversationsAreDeletedButNotOneInUse() throws Exception {
        URI uri = base.toURI();
        String idle;
        try (ChatClient client = ChatClient.connect(uri, null)) {
            idle = client.nextJson().getString("id");
            ConversationStoreIT.turn(client, "short-lived");
        }
        try (ChatClient kept = ChatClient.connect(uri, null)) {
            String inUse = kept.nextJson().getString("id");
            ConversationStoreIT.turn(kept, "still here");

            boolean deleted = Await.value(Duration.ofSeconds(15), Duration.ofMillis(200),
                    () -> !ChatClient.reattachable(uri, idle), gone -> gone);
            assertTrue(deleted, "the idle conversation is deleted within 15 s");
            assertTrue(ChatClient.reattachable(uri, inUse), "the conversation with a socket attached is kept");
            kept.send("{\"type\":\"conversation.get\"}");
            assertEquals(2, kept.nextJson().getJsonArray("messages").size());
        }
    }
}
