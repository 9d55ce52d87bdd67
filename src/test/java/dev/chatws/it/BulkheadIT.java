package dev.chatws.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.chatws.fake.FakeUpstream;
import jakarta.json.JsonObject;
import java.net.URI;
import java.net.URL;
import java.util.List;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Over chat.upstream.max-concurrent running upstream calls, a turn is refused with rate_limited. */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class BulkheadIT {

    private static final String LONG = "{\"messages\":[{\"role\":\"user\",\"content\":\"long\"}],\"x_script\":\"paced\",\"x_chunks\":400,\"x_gap_ms\":50}";
    private static FakeUpstream upstream;

    @ArquillianResource
    URL base;

    @Deployment(testable = false)
    static WebArchive deployment() {
        upstream = FakeUpstream.start(0);
        return Deployments.withUpstream("chat-bulkhead", upstream.baseUrl(), "chat.upstream.max-concurrent=2");
    }

    @AfterAll
    static void stopUpstream() {
        upstream.close();
    }

    @Test
    void aTurnOverTheCapIsRefusedWithRateLimitedAndServedOnceACallEnds() throws Exception {
        URI uri = base.toURI();
        try (ChatClient first = ChatClient.open(uri); ChatClient second = ChatClient.open(uri); ChatClient third = ChatClient.open(uri)) {
            first.send(LONG);
            second.send(LONG);
            assertEquals("chat.completion.chunk", first.nextJson().getString("object"));
            assertEquals("chat.completion.chunk", second.nextJson().getString("object"));

            third.send(LONG);
            List<String> refused = third.turn();
            assertEquals(1, refused.size());
            JsonObject error = ChatClient.json(refused.get(0)).getJsonObject("error");
            assertEquals("rate_limited", error.getString("code"));
            assertEquals("rate_limit_error", error.getString("type"));

            first.send("{\"type\":\"response.cancel\"}");
            first.turn();
            third.send("{\"messages\":[{\"role\":\"user\",\"content\":\"now?\"}],\"x_script\":\"paced\",\"x_chunks\":3,\"x_gap_ms\":1}");
            List<String> served = third.turn();
            assertEquals("chat.completion", ChatClient.json(served.get(served.size() - 1)).getString("object"),
                    "a permit is free again once a call ended");
            third.send("{\"type\":\"conversation.get\"}");
            assertEquals(2, third.nextJson().getJsonArray("messages").size(), "the refused turn committed nothing");
        }
    }
}
