package dev.chatws.it;

import static dev.chatws.it.ChatClient.http;
import static dev.chatws.it.ChatClient.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpResponse;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * PROTOCOL §12 over real HTTP, authenticated and anonymous: the list (token, paging, order,
 * counts, model, usage), get, patch (reaching every socket), export, delete and erase-all, with
 * ownership exactly as the socket's (another user's id is an unknown id) and bad input answered
 * 400 in the OpenAI error envelope.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class ConversationsApiIT {

    private static final String ISSUER = "https://issuer.chat-ws.test";
    private static final KeyPair KEYS = AuthIT.rsa();

    @ArquillianResource
    URL base;

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.withFakeUpstream("chat-api", "sk-test-api",
                "mp.jwt.verify.publickey=" + Base64.getEncoder().encodeToString(KEYS.getPublic().getEncoded()),
                "mp.jwt.verify.issuer=" + ISSUER);
    }

    /** Users of this run only: the store of an earlier run may still hold the conversations of the same names. */
    private static final String RUN = Long.toString(System.nanoTime(), 36);

    private static String token(String user) throws Exception {
        return AuthIT.token(user + "-" + RUN, ISSUER, KEYS.getPrivate(), 600);
    }

    private URI api(String path) {
        return ChatClient.uri(base).resolve("api/" + path);
    }

    private ChatClient socket(String token, String query) throws Exception {
        return ChatClient.connect(ChatClient.uri(base), query, token == null ? Map.of() : Map.of("Authorization", "Bearer " + token));
    }

    /** A new conversation of {@code token}'s user with one committed turn; its id. */
    private String conversationWithATurn(String token, String said) throws Exception {
        try (ChatClient client = socket(token, null)) {
            String id = client.nextJson().getString("id");
            ConversationStoreIT.turn(client, said);
            return id;
        }
    }

    private static JsonObject error(HttpResponse<String> response, int status) {
        assertEquals(status, response.statusCode(), response.body());
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        return json(response.body()).getJsonObject("error");
    }

    private static List<String> ids(JsonObject list) {
        return list.getJsonArray("data").stream().map(item -> item.asJsonObject().getString("id")).toList();
    }

    @Test
    void aUsersConversationsAreListedMostRecentlyUpdatedFirstAPageAtATime() throws Exception {
        String alice = token("alice-list");
        String first = conversationWithATurn(alice, "one");
        String second = conversationWithATurn(alice, "two");
        String third = conversationWithATurn(alice, "three");
        try (ChatClient empty = socket(alice, null)) {
            empty.nextJson();
            String bob = conversationWithATurn(token("bob-list"), "bob's");

            JsonObject page = json(http("GET", api("conversations?limit=2"), alice, null).body());
            assertEquals("list", page.getString("object"));
            assertEquals(List.of(third, second), ids(page), "newest first; the conversation with no message is not listed");
            assertTrue(page.getBoolean("has_more"));
            assertEquals(second, page.getString("last_id"));
            JsonObject item = page.getJsonArray("data").getJsonObject(0);
            assertEquals(2, item.getInt("messages"));
            assertEquals("fake-default", item.getString("model"));
            assertTrue(item.isNull("title"));
            assertTrue(item.getJsonNumber("updated").longValue() >= item.getJsonNumber("created").longValue());
            assertEquals(11, item.getJsonObject("usage").getInt("prompt_tokens"));
            assertEquals(8, item.getJsonObject("usage").getJsonObject("prompt_tokens_details").getInt("cached_tokens"));

            JsonObject next = json(http("GET", api("conversations?limit=2&after=" + second), alice, null).body());
            assertEquals(List.of(first), ids(next));
            assertFalse(next.getBoolean("has_more"));

            http("PATCH", api("conversations/" + first), alice, "{\"title\":\"Renamed\"}");
            JsonObject renamed = json(http("GET", api("conversations"), alice, null).body());
            assertEquals(List.of(first, third, second), ids(renamed), "an update moves it to the top");
            assertEquals("Renamed", renamed.getJsonArray("data").getJsonObject(0).getString("title"));

            assertEquals("unauthenticated", error(http("GET", api("conversations"), null, null), 401).getString("code"), "a token is needed");
            assertEquals(401, http("GET", api("conversations"), "not.a.token", null).statusCode());
            for (String limit : List.of("0", "101", "x", "-1", "1e1")) {
                assertEquals("limit", error(http("GET", api("conversations?limit=" + limit), alice, null), 400).getString("param"), limit);
            }
            assertEquals("after", error(http("GET", api("conversations?after=" + bob), alice, null), 400).getString("param"), "bob's is not alice's");
            assertEquals("after", error(http("GET", api("conversations?after=conv_nope"), alice, null), 400).getString("param"));
            assertEquals("not_found", error(http("GET", api("nothing/here"), alice, null), 404).getString("code"), "Jakarta REST's own refusals too");
            assertEquals("method_not_allowed", error(http("PUT", api("conversations/" + first), alice, "{}"), 405).getString("code"));
        }
    }

    @Test
    void getPatchAndExportFollowTheSocketsRulesOfOwnership() throws Exception {
        String carol = token("carol-api");
        String dan = token("dan-api");
        String owned = conversationWithATurn(carol, "mine");
        assertEquals(owned, json(http("GET", api("conversations/" + owned), carol, null).body()).getString("id"));
        assertEquals("not_found", error(http("GET", api("conversations/" + owned), dan, null), 404).getString("code"), "another user's");
        assertEquals(404, http("GET", api("conversations/" + owned), null, null).statusCode(), "anonymous");
        assertEquals(404, http("PATCH", api("conversations/" + owned), dan, "{\"title\":\"x\"}").statusCode());
        assertEquals(404, http("GET", api("conversations/" + owned + "/export"), dan, null).statusCode());
        assertEquals(404, http("DELETE", api("conversations/" + owned), dan, null).statusCode());
        assertEquals(404, http("GET", api("conversations/conv_AAAAAAAAAAAAAAAAAAAAAA"), carol, null).statusCode(), "unknown");

        try (ChatClient client = socket(null, null)) {
            String anonymous = client.nextJson().getString("id");
            ConversationStoreIT.turn(client, "hello");
            client.send("{\"type\":\"conversation.get\"}");
            String frame = client.next();
            assertEquals(frame, http("GET", api("conversations/" + anonymous), null, null).body(), "the conversation frame, byte for byte");
            assertEquals(frame, http("GET", api("conversations/" + anonymous), dan, null).body(), "whoever holds the id");

            HttpResponse<String> patched = http("PATCH", api("conversations/" + anonymous), null,
                    "{\"title\":\"Greeting\",\"settings\":{\"system\":\"Be kind.\",\"params\":{\"temperature\":0.3}}}");
            assertEquals(200, patched.statusCode(), patched.body());
            assertEquals(patched.body(), client.next(), "the attached socket gets the same frame");
            assertEquals("Be kind.", json(patched.body()).getJsonObject("settings").getString("system"));

            assertEquals("settings.colour", error(http("PATCH", api("conversations/" + anonymous), null, "{\"title\":\"x\",\"settings\":{\"colour\":1}}"), 400)
                    .getString("param"));
            assertEquals("title", error(http("PATCH", api("conversations/" + anonymous), null, "{\"title\":\"" + "t".repeat(201) + "\"}"), 400)
                    .getString("param"));
            assertEquals("invalid_json", error(http("PATCH", api("conversations/" + anonymous), null, "{\"title\":"), 400).getString("code"));
            assertEquals("invalid_json", error(http("PATCH", api("conversations/" + anonymous), null, "[" .repeat(2000)), 400).getString("code"));
            assertEquals("titel", error(http("PATCH", api("conversations/" + anonymous), null, "{\"titel\":\"x\"}"), 400).getString("param"));
            assertEquals("Greeting", json(http("GET", api("conversations/" + anonymous), null, null).body()).getString("title"),
                    "refused updates changed nothing");

            client.send("{\"type\":\"response.regenerate\"}");
            client.turn();
            client.nextJson();
            JsonObject export = json(http("GET", api("conversations/" + anonymous + "/export"), null, null).body());
            assertEquals("conversation.export", export.getString("object"));
            assertEquals("Greeting", export.getString("title"));
            assertEquals("msg_2", export.getString("active"));
            List<String> tree = new ArrayList<>();
            export.getJsonArray("messages").forEach(entry -> tree.add(entry.asJsonObject().getString("id") + "<"
                    + (entry.asJsonObject().isNull("parent") ? "-" : entry.asJsonObject().getString("parent"))));
            assertEquals(List.of("msg_0<-", "msg_1<msg_0", "msg_2<msg_0"), tree, "every branch, in commit order");
            assertEquals(List.of("user", "assistant", "assistant"), export.getJsonArray("messages").stream()
                    .map(entry -> entry.asJsonObject().getJsonObject("message").getString("role")).toList());

            assertEquals(204, http("DELETE", api("conversations/" + anonymous), null, null).statusCode());
            assertEquals(4404, client.awaitClose());
            assertEquals(404, http("GET", api("conversations/" + anonymous), null, null).statusCode());
        }
    }

    @Test
    void eraseAllDeletesEveryConversationAndTheUsageOfTheUserOnly() throws Exception {
        String erin = token("erin-api");
        String frank = token("frank-api");
        String one = conversationWithATurn(erin, "one");
        String kept = conversationWithATurn(frank, "frank's");
        JsonObject usage = json(http("GET", api("usage"), erin, null).body());
        assertEquals("usage", usage.getString("object"));
        try (ChatClient open = socket(erin, null)) {
            String two = open.nextJson().getString("id");
            ConversationStoreIT.turn(open, "two");
            JsonObject summed = json(http("GET", api("usage"), erin, null).body());
            assertEquals(22, summed.getInt("prompt_tokens"), "two turns of 11");
            assertEquals(8, summed.getInt("completion_tokens"));
            assertEquals(30, summed.getInt("total_tokens"));
            assertEquals(6, summed.getJsonObject("completion_tokens_details").getInt("reasoning_tokens"));

            assertEquals(401, http("DELETE", api("conversations"), null, null).statusCode(), "a token is needed");
            assertEquals(204, http("DELETE", api("conversations"), erin, null).statusCode());
            assertEquals(4404, open.awaitClose(), "its open socket is told");
            assertEquals(404, http("GET", api("conversations/" + one), erin, null).statusCode());
            assertEquals(404, http("GET", api("conversations/" + two), erin, null).statusCode());
            assertEquals(List.of(), ids(json(http("GET", api("conversations"), erin, null).body())));
            assertEquals(0, json(http("GET", api("usage"), erin, null).body()).getInt("total_tokens"));
        }
        assertEquals(List.of(kept), ids(json(http("GET", api("conversations"), frank, null).body())), "frank's are untouched");
        assertEquals(401, http("GET", api("usage"), null, null).statusCode());
    }
}
