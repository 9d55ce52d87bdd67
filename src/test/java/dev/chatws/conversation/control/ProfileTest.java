package dev.chatws.conversation.control;

import static dev.chatws.conversation.control.ConversationFixture.ask;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chatws.conversation.control.ConversationFixture.Socket;
import dev.chatws.conversation.entity.ControlFrame;
import dev.chatws.conversation.entity.ConversationFrame;
import dev.chatws.json.JsonText;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;

/** A conversation's title and settings (PROTOCOL §10), on the conversation core without a container. */
class ProfileTest {

    private final ConversationFixture fixture = new ConversationFixture().start();
    private final Conversation conversation = fixture.conversation;
    private final Socket socket = new Socket(null);
    private final Socket other = new Socket(null);

    ProfileTest() {
        conversation.open(socket);
        conversation.attach(other);
    }

    private void update(String members) {
        conversation.receive(socket, new ControlFrame(JsonText.object("{\"type\":\"conversation.update\"," + members + "}")));
        fixture.runBackground();
    }

    private static Object last(Socket on) {
        return on.delivered.get(on.delivered.size() - 1);
    }

    @Test
    void anUpdateIsStoredAndEverySocketGetsTheConversationFrame() {
        update("\"title\":\"Trip\",\"settings\":{\"system\":\"Be brief.\",\"params\":{\"temperature\":0.2}}");
        ConversationFrame frame = (ConversationFrame) last(other);
        assertEquals("Trip", frame.title());
        assertEquals(JsonText.object("{\"system\":\"Be brief.\",\"model\":null,\"params\":{\"temperature\":0.2}}"), frame.settings());
        assertEquals(frame, last(socket));
        assertEquals("Trip", fixture.profiles.get(ConversationFixture.ID)[0], "stored");

        update("\"settings\":{\"model\":\"m2\",\"system\":null}");
        frame = (ConversationFrame) last(socket);
        assertEquals(JsonText.object("{\"system\":null,\"model\":\"m2\",\"params\":{\"temperature\":0.2}}"), frame.settings(), "merged member by member");
        assertEquals("Trip", frame.title(), "kept when not given");
        update("\"settings\":null,\"title\":null");
        frame = (ConversationFrame) last(socket);
        assertEquals(ConversationFrame.NO_SETTINGS, frame.settings());
        assertNull(frame.title());
    }

    @Test
    void theSystemPromptGoesFirstAndTheSettingsAreDefaultsUnderTheRequestsOwnMembers() {
        update("\"settings\":{\"system\":\"Be brief.\",\"model\":\"m2\",\"params\":{\"temperature\":0.2,\"top_k\":5}}");
        conversation.receive(socket, ConversationFixture.request("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"temperature\":0.9}"));
        JsonObject sent = JsonText.object(fixture.call().body);
        assertEquals("system", sent.getJsonArray("messages").getJsonObject(0).getString("role"));
        assertEquals("Be brief.", sent.getJsonArray("messages").getJsonObject(0).getString("content"));
        assertEquals("m2", sent.getString("model"));
        assertEquals(0.9, sent.getJsonNumber("temperature").doubleValue(), "the request's own member wins");
        assertEquals(5, sent.getInt("top_k"));
        fixture.call().listener.event(ConversationFixture.lastChunk());
        fixture.call().listener.completed(true);
        fixture.runBackground();
        assertEquals(2, fixture.stored.get(ConversationFixture.ID).size(), "the system prompt is not part of the history");
    }

    @Test
    void aRefusedUpdateChangesNothingNotEvenItsValidMembers() {
        update("\"title\":\"ok\",\"settings\":{\"temperature\":1}");
        assertEquals("error:invalid_request", ConversationFixture.json(last(socket)));
        update("\"title\":\"" + "x".repeat(201) + "\"");
        assertEquals("error:invalid_request", ConversationFixture.json(last(socket)));
        update("\"settings\":{\"params\":{\"messages\":[]}}");
        assertEquals("error:invalid_request", ConversationFixture.json(last(socket)));
        conversation.receive(socket, new ControlFrame(JsonText.object("{\"type\":\"conversation.get\"}")));
        ConversationFrame frame = (ConversationFrame) last(socket);
        assertNull(frame.title());
        assertEquals(ConversationFrame.NO_SETTINGS, frame.settings());
        assertTrue(fixture.profiles.isEmpty(), "nothing stored");
    }

    @Test
    void anUpdateDuringATurnAppliesFromTheNextTurn() {
        conversation.receive(socket, ask("one"));
        update("\"settings\":{\"system\":\"Later.\"}");
        assertTrue(!fixture.call().body.contains("Later."), "the turn in flight is not changed");
        fixture.call().listener.event(ConversationFixture.lastChunk());
        fixture.call().listener.completed(true);
        fixture.runBackground();
        conversation.receive(socket, ask("two"));
        assertTrue(fixture.call().body.contains("Later."), fixture.call().body);
    }

    @Test
    void aReloadedConversationKeepsItsTitleAndSettings() {
        update("\"title\":\"Kept\",\"settings\":{\"model\":\"m3\"}");
        ConversationFixture reloaded = new ConversationFixture();
        reloaded.profiles.putAll(fixture.profiles);
        reloaded.seed = reloaded.conversation.store.load(ConversationFixture.ID).orElseThrow();
        reloaded.start();
        Socket again = new Socket(null);
        reloaded.conversation.attach(again);
        ConversationFrame frame = (ConversationFrame) again.delivered.get(0);
        assertEquals("Kept", frame.title());
        assertEquals("m3", frame.settings().getString("model"));
    }
}
