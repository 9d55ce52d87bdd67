package dev.chatws.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The same WAR, unchanged, on another Jakarta EE server: Payara Micro (from Maven Central, copied
 * to target/payara by the build), configured only through the environment (HTTP_PORT, so the
 * built-in simulator is found on Payara's port). The contract's core over a real WebSocket:
 * conversation frame, a streamed turn, multi-turn history, cancel, conversation.get, reattach.
 */
class PayaraIT {

    private static final Path JAR = Path.of("target/payara/payara-micro.jar");
    private static Process payara;
    private static URI base;

    @BeforeAll
    static void start() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Path root = Files.createDirectories(Path.of("target/payara/root"));
        Path log = Path.of("target/payara/payara.log");
        // Run from its root directory: the WAR's default store (./chat-db) is created there, not in the project.
        ProcessBuilder builder = new ProcessBuilder(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", JAR.toAbsolutePath().toString(),
                "--deploy", Path.of("target/chat-ws.war").toAbsolutePath().toString(), "--contextroot", "/",
                "--port", Integer.toString(port), "--nocluster", "--rootDir", root.toAbsolutePath().toString()))
                .directory(root.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().put("HTTP_PORT", Integer.toString(port));
        payara = builder.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!Files.readString(log).contains("ready in")) {
            if (!payara.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError("Payara Micro did not start; see " + log);
            }
            Thread.sleep(200);
        }
        assertTrue(!Files.readString(log).contains("SEVERE"), "Payara deployed the WAR without errors; see " + log);
        base = URI.create("http://localhost:" + port + "/");
    }

    @AfterAll
    static void stop() throws Exception {
        if (payara != null) {
            payara.destroy();
            if (!payara.waitFor(30, TimeUnit.SECONDS)) {
                payara.destroyForcibly();
            }
        }
    }

    @Test
    void theHttpApiAndItsOpenApiDocumentWorkOnPayaraMicro() throws Exception {
        com.fasterxml.jackson.databind.JsonNode document = OpenApiIT.document(base);
        OpenApiIT.assertDescribesTheApi(document);
        String id;
        try (ChatClient client = ChatClient.connect(base, null)) {
            id = client.nextJson().getString("id");
            ConversationStoreIT.turn(client, "on payara");
        }
        java.net.URI api = base.resolve("api/conversations/" + id);
        assertEquals(java.util.Set.of(), OpenApiIT.check(document, "Conversation",
                ChatClient.http("PATCH", api, null, "{\"title\":\"Payara\"}").body()));
        assertEquals(java.util.Set.of(), OpenApiIT.check(document, "ConversationExport", ChatClient.http("GET", api.resolve(id + "/export"), null, null).body()));
        assertEquals(401, ChatClient.http("GET", base.resolve("api/conversations"), null, null).statusCode(), "the list needs a token");
    }

    @Test
    void theCoreOfTheProtocolWorksOnPayaraMicro() throws IOException, InterruptedException {
        String id;
        try (ChatClient client = ChatClient.connect(base, null)) {
            JsonObject conversation = client.nextJson();
            assertEquals("conversation", conversation.getString("object"));
            id = conversation.getString("id");
            client.send("{\"messages\":[{\"role\":\"user\",\"content\":\"hello Payara\"}]}");
            List<String> turn = client.turn();
            assertTrue(turn.size() > 2, "chunks were streamed: " + turn.size() + " frames");
            assertEquals("chat.completion.chunk", ChatClient.json(turn.get(0)).getString("object"));
            assertTrue(ConversationStoreIT.turn(client, "again").contains("turn 2"), "multi-turn history");

            client.send("{\"messages\":[{\"role\":\"user\",\"content\":\"" + "long ".repeat(300) + "\"}]}");
            JsonObject chunk;
            do {
                // Cancel once some content was shown: a reply cancelled before any is not kept (§4).
                chunk = client.nextJson();
                assertEquals("chat.completion.chunk", chunk.getString("object"));
            } while (chunk.getJsonArray("choices").getJsonObject(0).getJsonObject("delta").getString("content", "").isEmpty());
            client.send("{\"type\":\"response.cancel\"}");
            JsonObject terminal;
            do {
                terminal = client.nextJson();
            } while ("chat.completion.chunk".equals(terminal.getString("object", null)));
            assertEquals("cancelled", terminal.getJsonArray("choices").getJsonObject(0).getString("finish_reason"));
        }
        try (ChatClient again = ChatClient.connect(base, "conversation=" + id)) {
            assertEquals(6, again.nextJson().getJsonArray("messages").size(), "reattached with the whole history");
            again.send("{\"type\":\"nonsense\"}");
            assertEquals("unknown_type", again.nextJson().getJsonObject("error").getString("code"));
        }
    }
}
