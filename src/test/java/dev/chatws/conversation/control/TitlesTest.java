package dev.chatws.conversation.control;

import static dev.chatws.conversation.control.ConversationFixture.chunk;
import static dev.chatws.conversation.control.ConversationFixture.lastChunk;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.chatws.conversation.control.ConversationFixture.Socket;
import dev.chatws.conversation.entity.ConversationFrame;
import dev.chatws.json.JsonText;
import jakarta.json.JsonObject;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@code chat.titles=auto} (PROTOCOL §10) on the conversation core without a container. */
class TitlesTest {

    private final ConversationFixture fixture = new ConversationFixture();
    private final Conversation conversation = fixture.conversation;
    private final Socket socket = new Socket(null);

    private TitlesTest start(boolean auto) {
        fixture.autoTitles = auto;
        fixture.start();
        conversation.open(socket);
        return this;
    }

    private void turn(String said) {
        conversation.receive(socket, ConversationFixture.ask(said));
        fixture.call().listener.event(chunk("Lisbon in May is mild."));
        fixture.call().listener.event(lastChunk());
        fixture.call().listener.completed(true);
        fixture.runBackground();
    }

    private static String answer(String content) {
        return "{\"id\":\"t\",\"object\":\"chat.completion\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":"
                + JsonText.PROVIDER.createValue(content) + "},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":50,\"completion_tokens\":4}}";
    }

    private ConversationFrame lastFrame() {
        return (ConversationFrame) socket.delivered.stream().filter(ConversationFrame.class::isInstance).reduce((a, b) -> b).orElseThrow();
    }

    @Test
    void afterTheFirstTurnOneSmallRequestTitlesTheConversationForEverySocket() {
        start(true).turn("What is the weather in Lisbon in May?");
        assertEquals(2, fixture.calls.size(), "the turn, then the title request");
        JsonObject asked = JsonText.object(fixture.call().body);
        assertFalse(asked.getBoolean("stream"));
        assertEquals("test-model", asked.getString("model"));
        assertEquals(24, asked.getInt("max_tokens"));
        assertEquals(Titles.PROMPT, asked.getJsonArray("messages").getJsonObject(0).getString("content"));
        assertEquals("User: What is the weather in Lisbon in May?\n\nAssistant: Lisbon in May is mild.",
                asked.getJsonArray("messages").getJsonObject(1).getString("content"));

        fixture.call().listener.body(answer("\"Lisbon Weather in May.\""));
        fixture.runBackground();
        assertEquals("Lisbon Weather in May", lastFrame().title());
        assertEquals("Lisbon Weather in May", fixture.profiles.get(ConversationFixture.ID)[0], "stored");
        assertEquals(0, fixture.usages.get(ConversationFixture.ID).prompt(), "the title is not billed to the turn");

        turn("And in June?");
        assertEquals(3, fixture.calls.size(), "no second title request");
    }

    @Test
    void aTitleSetMeanwhileIsKeptAndFailuresChangeNothing() {
        start(true).turn("first");
        conversation.visits().update(null, JsonText.object("{\"title\":\"Mine\"}"));
        fixture.call().listener.body(answer("Their title"));
        fixture.runBackground();
        assertEquals("Mine", lastFrame().title());

        ConversationFixture failing = new ConversationFixture();
        failing.autoTitles = true;
        failing.start();
        Socket other = new Socket(null);
        failing.conversation.open(other);
        failing.conversation.receive(other, ConversationFixture.ask("hi"));
        failing.call().listener.event(lastChunk());
        failing.call().listener.completed(true);
        failing.runBackground();
        int frames = other.delivered.size();
        failing.call().listener.failed(500, "boom");
        failing.call().listener.body("not json");
        failing.runBackground();
        assertEquals(frames, other.delivered.size(), "nothing sent");
        assertNull(failing.profiles.get(ConversationFixture.ID));
    }

    @Test
    void aCancelledFirstTurnAsksNoTitle() {
        start(true);
        conversation.receive(socket, ConversationFixture.ask("hi"));
        fixture.call().listener.event(chunk("Hel"));
        conversation.receive(socket, ConversationFixture.control("response.cancel"));
        fixture.runBackground();
        assertEquals(1, fixture.calls.size(), "the turn only");
    }

    @Test
    void offByDefault() {
        start(false).turn("hi");
        assertEquals(1, fixture.calls.size());
    }

    @Test
    void theTitleIsTheAnswersFirstLineWithoutLabelsQuotesOrThinking() {
        assertEquals(Optional.of("Trip planning"), Titles.title(answer("<think>user wants a title</think>\n\n**Title:** \"Trip planning.\"\nmore")));
        assertEquals(Optional.of("Wait..."), Titles.title(answer("Wait...")));
        assertEquals(200, Titles.title(answer("x".repeat(500))).orElseThrow().length());
        assertEquals(Optional.empty(), Titles.title(answer("  \"\"  ")));
        assertEquals(Optional.empty(), Titles.title("{\"choices\":[]}"));
        assertEquals(Optional.empty(), Titles.title("[" .repeat(5000)));
    }
}
