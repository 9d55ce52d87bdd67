package dev.chatws.it;

import static dev.chatws.it.ChatClient.http;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import com.networknt.schema.oas.OpenApi30;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpResponse;
import java.security.KeyPair;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code /openapi} (MicroProfile OpenAPI) on Liberty describes the HTTP API with its schemas
 * written out, and the server's real answers — list, conversation, update, export, usage, errors —
 * are valid against them.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class OpenApiIT {

    private static final String ISSUER = "https://issuer.chat-ws.test";
    private static final KeyPair KEYS = AuthIT.rsa();
    private static final ObjectMapper JSON = new ObjectMapper();

    @ArquillianResource
    URL base;

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.withFakeUpstream("chat-openapi", "sk-test-openapi",
                "mp.jwt.verify.publickey=" + Base64.getEncoder().encodeToString(KEYS.getPublic().getEncoded()),
                "mp.jwt.verify.issuer=" + ISSUER);
    }

    /** The document as the server serves it. */
    static JsonNode document(URI root) throws Exception {
        HttpResponse<String> served = http("GET", root.resolve("/openapi?format=JSON"), null, null);
        assertEquals(200, served.statusCode(), served.body());
        return JSON.readTree(served.body());
    }

    /** The problems of {@code body} against schema {@code name} of {@code document}. */
    static Set<ValidationMessage> check(JsonNode document, String name, String body) throws Exception {
        ObjectNode schema = JSON.createObjectNode();
        schema.put("$schema", OpenApi30.getInstance().getIri());
        schema.put("$ref", "#/components/schemas/" + name);
        schema.set("components", document.path("components"));
        // OpenAPI 3.0's dialect of JSON Schema (nullable), which Payara Micro 6 and Liberty both read.
        JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4,
                builder -> builder.metaSchema(OpenApi30.getInstance()));
        return factory.getSchema(schema).validate(JSON.readTree(body));
    }

    static void assertDescribesTheApi(JsonNode document) {
        document.path("paths").fieldNames().forEachRemaining(path -> assertTrue(path.startsWith("/api/"), path + ": only the API, not scanned extras"));
        for (String path : List.of("/api/conversations", "/api/conversations/{id}", "/api/conversations/{id}/export", "/api/usage")) {
            assertTrue(document.path("paths").has(path), path + " in " + document.path("paths"));
        }
        for (String schema : List.of("Conversation", "ConversationList", "ConversationSummary", "ConversationUpdate", "ConversationExport",
                "ExportedMessage", "Settings", "Usage", "Error")) {
            assertTrue(document.path("components").path("schemas").path(schema).has("properties")
                    || document.path("components").path("schemas").path(schema).has("allOf"), schema + " is written out");
        }
        assertEquals("#/components/schemas/ConversationList", document.at("/paths/~1api~1conversations/get/responses/200/content/application~1json/schema/$ref").asText());
    }

    @Test
    void theDocumentDescribesTheApiAndTheServersAnswersMatchIt() throws Exception {
        URI root = ChatClient.uri(base);
        JsonNode document = document(root);
        assertDescribesTheApi(document);

        String token = AuthIT.token("olga-openapi", ISSUER, KEYS.getPrivate(), 600);
        String id;
        try (ChatClient client = ChatClient.connect(root, null, Map.of("Authorization", "Bearer " + token))) {
            id = client.nextJson().getString("id");
            ConversationStoreIT.turn(client, "describe me");
        }
        URI api = root.resolve("api/");
        assertEquals(Set.of(), check(document, "ConversationList", http("GET", api.resolve("conversations"), token, null).body()));
        assertEquals(Set.of(), check(document, "Conversation", http("GET", api.resolve("conversations/" + id), token, null).body()));
        assertEquals(Set.of(), check(document, "Conversation", http("PATCH", api.resolve("conversations/" + id), token,
                "{\"title\":\"Described\",\"settings\":{\"system\":\"Be short.\",\"params\":{\"temperature\":0}}}").body()));
        assertEquals(Set.of(), check(document, "ConversationExport", http("GET", api.resolve("conversations/" + id + "/export"), token, null).body()));
        assertEquals(Set.of(), check(document, "UsageObject", http("GET", api.resolve("usage"), token, null).body()));
        assertEquals(Set.of(), check(document, "Error", http("GET", api.resolve("conversations?limit=0"), token, null).body()));
        assertEquals(Set.of(), check(document, "Error", http("GET", api.resolve("conversations"), null, null).body()));
        assertEquals(Set.of(), check(document, "ConversationUpdate", "{\"title\":null,\"settings\":{\"model\":\"m\"}}"));
        assertTrue(!check(document, "ConversationList", "{\"object\":\"list\",\"data\":[{}],\"has_more\":1}").isEmpty(), "the check can fail");
        assertTrue(!check(document, "ConversationSummary", "{\"id\":\"c\",\"object\":\"conversation.summary\",\"created\":1,\"updated\":1,"
                + "\"title\":7,\"messages\":1,\"model\":null,\"usage\":{}}").isEmpty(), "a title that is not a string (or null) fails");
    }
}
