package dev.chatws.it;

import static dev.chatws.it.ChatClient.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chatws.fake.FakeUpstream;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.net.URL;
import java.util.List;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Cancel in every phase of a turn, and the one turn at a time (PROTOCOL §3, §4). A real WebSocket client
 * against the built WAR on Liberty, whose upstream is the scripted fake (dev.chatws.fake).
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class CancelIT {

    private static final String KEY = "sk-test-7f3a9c-never-shown";

    @ArquillianResource
    URL base;

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.withFakeUpstream("chat-it", KEY);
    }

    @Test
    void cancelEndsTheTurnAtOnceCommitsWhatWasShownAndHangsUpOnTheUpstream() throws Exception {
        try (ChatClient client = ChatClient.open(ChatClient.uri(base))) {
            client.send("{\"messages\":[{\"role\":\"user\",\"content\":\"long\"}],\"x_script\":\"slow\",\"x_key\":\"cancel\"}");
            StringBuilder shown = new StringBuilder();
            for (int i = 0; i < 3; i++) {
                shown.append(json(client.next()).getJsonArray("choices").getJsonObject(0).getJsonObject("delta").getString("content"));
            }
            client.send("{\"type\":\"response.cancel\"}");
            JsonObject completion = null;
            for (String frame : client.turn()) {
                JsonObject object = json(frame);
                if ("chat.completion".equals(object.getString("object", null))) {
                    completion = object;
                } else {
                    shown.append(object.getJsonArray("choices").getJsonObject(0).getJsonObject("delta").getString("content"));
                }
            }
            JsonObject choice = completion.getJsonArray("choices").getJsonObject(0);
            assertEquals("cancelled", choice.getString("finish_reason"));
            assertEquals(shown.toString(), choice.getJsonObject("message").getString("content"));
            assertTrue(client.quietFor(300), "no frame of the turn follows its terminal frame");
            JsonArray history = client.history();
            assertEquals(json("{\"role\":\"assistant\",\"content\":\"" + shown + "\"}"), history.get(1));
            assertTrue(FakeUpstream.awaitHungUp("cancel", 1000), "the upstream sees its connection closed within 1 s");
        }
    }

    @Test
    void cancelWhileWaitingForTheFirstChunkEndsAtOnceWithNothingToCommit() throws Exception {
        try (ChatClient client = ChatClient.open(ChatClient.uri(base))) {
            client.send("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"x_script\":\"silent\",\"x_key\":\"cancel-first\"}");
            assertTrue(client.quietFor(300), "no chunk yet");
            client.send("{\"type\":\"response.cancel\"}");
            JsonObject completion = client.nextJson();
            assertEquals("cancelled", completion.getJsonArray("choices").getJsonObject(0).getString("finish_reason"));
            assertEquals(JsonValue.NULL, completion.get("id"), "no chunk was seen");
            assertTrue(FakeUpstream.awaitHungUp("cancel-first", 1000), "the upstream sees its connection closed within 1 s");
            assertEquals(List.of("hi"), client.history().stream().map(m -> m.asJsonObject().getString("content")).toList(),
                    "the request is committed, no assistant message");
        }
    }

    @Test
    void cancelBeforeTheUpstreamAnsweredEndsAtOnceAndHangsUpWhenItAnswers() throws Exception {
        try (ChatClient client = ChatClient.open(ChatClient.uri(base))) {
            client.send("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"x_script\":\"late\",\"x_key\":\"cancel-late\"}");
            assertTrue(client.quietFor(300));
            client.send("{\"type\":\"response.cancel\"}");
            assertEquals("cancelled", client.nextJson().getJsonArray("choices").getJsonObject(0).getString("finish_reason"));
            assertFalse(FakeUpstream.hungUp("cancel-late"), "answered before the upstream even answered, not when it did");
            // The connection is aborted at once (SilentUpstreamIT sees it on a raw socket); this fake
            // notices only when it writes its answer, 1.5 s late.
            assertTrue(FakeUpstream.awaitHungUp("cancel-late", 3000), "the upstream finds its connection closed when it answers");
        }
    }

    @Test
    void aRequestDuringATurnIsRefusedWhileTheTurnGoesOn() {
        try (ChatClient client = ChatClient.open(ChatClient.uri(base))) {
            client.send("{\"messages\":[{\"role\":\"user\",\"content\":\"long\"}],\"x_script\":\"slow\",\"x_key\":\"busy\"}");
            client.next();
            client.send("{\"messages\":[{\"role\":\"user\",\"content\":\"and now?\"}]}");
            client.send("{\"messages\":[{\"role\":\"robot\",\"content\":\"x\"}]}");
            String busy = nextError(client);
            assertEquals("turn_in_progress", json(busy).getJsonObject("error").getString("code"));
            assertEquals("invalid_request", json(nextError(client)).getJsonObject("error").getString("code"),
                    "validation comes before turn_in_progress");
            client.send("{\"type\":\"response.cancel\"}");
            JsonObject completion = json(ChatClient.last(client.turn()));
            assertEquals("cancelled", completion.getJsonArray("choices").getJsonObject(0).getString("finish_reason"));
        }
    }

    private static String nextError(ChatClient client) {
        while (true) {
            String frame = client.next();
            if (frame.contains("\"error\"")) {
                return frame;
            }
        }
    }
}
