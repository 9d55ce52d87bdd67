package dev.chatws.conversation.control;

import static dev.chatws.conversation.control.ConversationFixture.ask;
import static dev.chatws.conversation.control.ConversationFixture.chunk;
import static dev.chatws.conversation.control.ConversationFixture.lastChunk;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chatws.conversation.control.ConversationFixture.Socket;
import dev.chatws.conversation.entity.ControlFrame;
import dev.chatws.conversation.entity.ConversationFrame;
import dev.chatws.json.JsonText;
import jakarta.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Message ids, branches and the frames that steer them (PROTOCOL §8, §9), on the conversation
 * core without a container.
 */
class SteeringTest {

    private final ConversationFixture fixture = new ConversationFixture().start();
    private final Conversation conversation = fixture.conversation;
    private final Socket socket = new Socket(null);

    SteeringTest() {
        conversation.open(socket);
    }

    private static ControlFrame frame(String json) {
        return new ControlFrame(JsonText.object(json));
    }

    /** A turn whose answer is {@code answer}, streamed and committed. */
    private void turn(String said, String answer) {
        conversation.receive(socket, ConversationFixture.request("{\"messages\":[{\"role\":\"user\",\"content\":\"" + said + "\"}],\"temperature\":0.5}"));
        answer(answer);
    }

    private void answer(String answer) {
        fixture.call().listener.event(chunk(answer));
        fixture.call().listener.event(lastChunk());
        fixture.call().listener.completed(true);
        fixture.runBackground();
    }

    private ConversationFrame snapshot() {
        int before = socket.delivered.size();
        conversation.receive(socket, frame("{\"type\":\"conversation.get\"}"));
        return (ConversationFrame) socket.delivered.get(before);
    }

    private static List<String> contents(ConversationFrame frame) {
        return frame.messages().stream().map(message -> message.asJsonObject().get("content").toString().replace("\"", "")).toList();
    }

    private Object lastDelivered() {
        return socket.delivered.get(socket.delivered.size() - 1);
    }

    @Test
    void everyCommittedMessageHasAnIdThatTheStoreCanRebuild() {
        turn("hi", "hello");
        ConversationFrame frame = snapshot();
        assertEquals(JsonText.object("{\"a\":[\"msg_0\",\"msg_1\"]}").getJsonArray("a"), frame.messageIds());
        assertEquals(JsonText.object("{}"), frame.forks());
        assertEquals(null, frame.title());
        assertEquals(ConversationFrame.NO_SETTINGS, frame.settings());

        ConversationFixture reloaded = new ConversationFixture();
        reloaded.nodes.putAll(fixture.nodes);
        reloaded.actives.putAll(fixture.actives);
        reloaded.seed = reloaded.conversation.store.load(ConversationFixture.ID).orElseThrow();
        reloaded.start();
        Socket again = new Socket(null);
        reloaded.conversation.attach(again);
        assertEquals(frame.messageIds(), ((ConversationFrame) again.delivered.get(0)).messageIds(), "the same ids after a reload");
    }

    @Test
    void regenerateRunsTheLastTurnsOwnMessagesAgainWithOverridesAndKeepsTheOldAnswerAsAnAlternative() {
        turn("hi", "first");
        conversation.receive(socket, frame("{\"type\":\"response.regenerate\",\"temperature\":1.2}"));
        JsonObject sent = JsonText.object(fixture.call().body);
        assertEquals(1, sent.getJsonArray("messages").size(), "the history without the old answer: " + sent);
        assertEquals(1.2, sent.getJsonNumber("temperature").doubleValue(), "the override");
        answer("second");
        ConversationFrame unasked = (ConversationFrame) lastDelivered();
        assertEquals(List.of("hi", "second"), contents(unasked), "the new answer is active, sent unasked after the terminal frame");
        assertEquals(JsonText.object("{\"msg_2\":[\"msg_1\",\"msg_2\"]}"), unasked.forks());
        assertEquals(3, fixture.stored.get(ConversationFixture.ID).size(), "the old answer is kept");

        conversation.receive(socket, frame("{\"type\":\"branch.switch\",\"message_id\":\"msg_1\"}"));
        fixture.runBackground();
        assertEquals(List.of("hi", "first"), contents((ConversationFrame) lastDelivered()), "switched back");
        assertEquals(1, fixture.actives.get(ConversationFixture.ID), "and stored");
        conversation.receive(socket, ask("more"));
        assertTrue(fixture.call().body.contains("\"first\""), "the next turn continues the active branch: " + fixture.call().body);
    }

    @Test
    void editForksBeforeAUserMessageAndTheOldContinuationStaysAnAlternative() {
        turn("one", "a1");
        turn("two", "a2");
        conversation.receive(socket, frame("{\"type\":\"message.edit\",\"message_id\":\"msg_2\",\"messages\":[{\"role\":\"user\",\"content\":\"TWO\"}]}"));
        JsonObject sent = JsonText.object(fixture.call().body);
        assertEquals(3, sent.getJsonArray("messages").size(), "the history before the edited message, then the new one");
        answer("b2");
        ConversationFrame unasked = (ConversationFrame) lastDelivered();
        assertEquals(List.of("one", "a1", "TWO", "b2"), contents(unasked));
        assertEquals(JsonText.object("{\"msg_4\":[\"msg_2\",\"msg_4\"]}"), unasked.forks());
        conversation.receive(socket, frame("{\"type\":\"branch.switch\",\"message_id\":\"msg_2\"}"));
        fixture.runBackground();
        assertEquals(List.of("one", "a1", "two", "a2"), contents((ConversationFrame) lastDelivered()), "down to its latest leaf");
    }

    @Test
    void aCancelledRegenerateCommitsWhatWasShownAsTheNewBranch() {
        turn("hi", "first");
        conversation.receive(socket, frame("{\"type\":\"response.regenerate\"}"));
        fixture.call().listener.event(chunk("sec"));
        conversation.receive(socket, frame("{\"type\":\"response.cancel\"}"));
        fixture.runBackground();
        assertEquals(List.of("hi", "sec"), contents(snapshot()));
    }

    @Test
    void steeringErrorsAnswerTheFrameAndChangeNothing() {
        conversation.receive(socket, frame("{\"type\":\"response.regenerate\"}"));
        assertEquals("error:invalid_request", ConversationFixture.json(lastDelivered()), "nothing to regenerate");
        turn("hi", "first");
        conversation.receive(socket, frame("{\"type\":\"message.edit\",\"message_id\":\"msg_1\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"));
        assertEquals("error:invalid_request", ConversationFixture.json(lastDelivered()), "not a user message");
        conversation.receive(socket, frame("{\"type\":\"message.edit\",\"message_id\":\"msg_0\",\"messages\":[{\"role\":\"wizard\",\"content\":\"x\"}]}"));
        assertEquals("error:invalid_request", ConversationFixture.json(lastDelivered()), "invalid messages");
        conversation.receive(socket, frame("{\"type\":\"branch.switch\",\"message_id\":\"msg_9\"}"));
        assertEquals("error:invalid_request", ConversationFixture.json(lastDelivered()), "unknown id");
        conversation.receive(socket, ask("again"));
        conversation.receive(socket, frame("{\"type\":\"response.regenerate\"}"));
        assertEquals("error:turn_in_progress", ConversationFixture.json(lastDelivered()));
        assertEquals(2, fixture.calls.size(), "no steering frame went upstream");
    }
}
