package dev.chatws.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * {@code server stop} of a whole Liberty server during a streaming turn: the turn ends cancelled
 * with its terminal frame and what was shown committed (PROTOCOL §4) before the connections go —
 * Liberty's quiesce calls the application through the bell in liberty/config/chat-ws.xml (before
 * it, the client got no terminal frame and the turn was lost). The close itself is 1001 only when
 * Liberty still reads the socket at that point (see SessionWriter#goAwayOnPong).
 */
class ServerStopIT {

    @Test
    void stoppingTheServerMidTurnEndsTheTurnCancelledWithItsTerminalFrameAndCommitsIt() throws Exception {
        // About 5 s per simulated reply: the stop comes in the middle of one.
        Map<String, String> env = Map.of("CHAT_SIMULATOR_TOKENS_PER_SECOND", "5", "CHAT_SIMULATOR_FIRST_TOKEN_DELAY", "0");
        try (LibertyNode node = LibertyNode.create("chatws-node-stop", env)) {
            node.start();
            String id;
            try (ChatClient client = ChatClient.connect(node.base(), null)) {
                id = client.nextJson().getString("id");
                client.send("{\"messages\":[{\"role\":\"user\",\"content\":\"a long story\"}]}");
                assertEquals("chat.completion.chunk", client.nextJson().getString("object"), "streaming");
                CompletableFuture<Void> stopped = CompletableFuture.runAsync(() -> {
                    try {
                        node.stop();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                List<String> rest = client.turn();
                JsonObject terminal = ChatClient.json(rest.get(rest.size() - 1));
                assertEquals("chat.completion", terminal.getString("object"), "the turn's terminal frame: " + terminal);
                assertEquals("cancelled", terminal.getJsonArray("choices").getJsonObject(0).getString("finish_reason"));
                // 1001 when the client's answer to the server's last ping is read before Liberty's quiesce
                // removes the application from its virtual host; after that Liberty can only drop it (1006).
                int code = client.awaitClose();
                System.out.println("ServerStopIT: the socket was closed with " + code);
                assertTrue(code == 1001 || code == 1006, "closed once the terminal frame was out: " + code);
                stopped.join();
            }
            node.start();
            try (ChatClient again = ChatClient.connect(node.base(), "conversation=" + id)) {
                JsonArray messages = again.nextJson().getJsonArray("messages");
                assertEquals(2, messages.size(), "the request and the part of the reply that was shown: " + messages);
                assertEquals("assistant", messages.getJsonObject(1).getString("role"));
            }
        }
    }
}
