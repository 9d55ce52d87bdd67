package dev.chatws.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.jboss.arquillian.container.test.api.Deployer;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The conversation store, default configuration (the embedded H2 file): committed history survives
 * the application's restart, exactly as committed; erasure deletes a conversation everywhere.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class ConversationStoreIT {

    private static final String NAME = "chat-store";
    private static final URI BASE = URI.create("http://localhost:" + Deployments.HTTP_PORT + "/" + NAME + "/");
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @ArquillianResource
    Deployer deployer;

    @Deployment(name = NAME, managed = false, testable = false)
    static WebArchive deployment() {
        return Deployments.simulated(NAME);
    }

    @Test
    void historySurvivesARestartOfTheApplication() throws Exception {
        deployer.deploy(NAME);
        String id;
        try {
            try (ChatClient client = ChatClient.connect(BASE, null)) {
                id = client.nextJson().getString("id");
                turn(client, "remember 42");
                turn(client, "and 43");
            }
        } finally {
            deployer.undeploy(NAME);
        }
        deployer.deploy(NAME);
        try {
            JsonArray before;
            try (ChatClient again = ChatClient.connect(BASE, "conversation=" + id)) {
                JsonObject conversation = again.nextJson();
                assertEquals(id, conversation.getString("id"));
                before = conversation.getJsonArray("messages");
                assertEquals(4, before.size(), before.toString());
                assertEquals("remember 42", before.getJsonObject(0).getString("content"));
                assertEquals("and 43", before.getJsonObject(2).getString("content"));
                String reply = turn(again, "what did I say?");
                assertTrue(reply.contains("turn 3") && reply.contains("\"and 43\""), "the upstream got the stored history: " + reply);
            }
            try (ChatClient later = ChatClient.connect(BASE, "conversation=" + id)) {
                JsonArray messages = later.nextJson().getJsonArray("messages");
                assertEquals(6, messages.size());
                assertEquals(before, messages.subList(0, 4), "stored messages come back exactly as committed");
            }
        } finally {
            deployer.undeploy(NAME);
        }
    }

    @Test
    void erasureClosesItsSocketsWith4404AndForgetsIt() throws Exception {
        deployer.deploy(NAME);
        try (ChatClient owner = ChatClient.connect(BASE, null)) {
            String id = owner.nextJson().getString("id");
            turn(owner, "forget me");
            try (ChatClient tab = ChatClient.connect(BASE, "conversation=" + id)) {
                tab.nextJson();
                assertEquals(204, delete(id));
                assertEquals(4404, owner.awaitClose());
                assertEquals(4404, tab.awaitClose());
            }
            try (ChatClient later = ChatClient.connect(BASE, "conversation=" + id)) {
                assertEquals(4404, later.awaitClose());
            }
            assertEquals(404, delete(id), "a second delete finds nothing");
            assertEquals(404, delete("not-an-id"));
        } finally {
            deployer.undeploy(NAME);
        }
    }

    private static int delete(String id) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(BASE.resolve("api/conversations/" + id)).DELETE().build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    /** Sends one user message and returns the assistant's reply. */
    static String turn(ChatClient client, String text) {
        client.send("{\"messages\":[{\"role\":\"user\",\"content\":\"" + text + "\"}]}");
        java.util.List<String> frames = client.turn();
        JsonObject terminal = ChatClient.json(frames.get(frames.size() - 1));
        assertEquals("chat.completion", terminal.getString("object", null), terminal.toString());
        return terminal.getJsonArray("choices").getJsonObject(0).getJsonObject("message").getString("content");
    }
}
