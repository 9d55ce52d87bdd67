package dev.chatws.conversation.control;

import static dev.chatws.conversation.control.ConversationFixture.ask;
import static dev.chatws.conversation.control.ConversationFixture.chunk;
import static dev.chatws.conversation.control.ConversationFixture.control;
import static dev.chatws.conversation.control.ConversationFixture.lastChunk;
import static dev.chatws.conversation.control.ConversationFixture.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chatws.conversation.control.ConversationFixture.Socket;
import dev.chatws.json.JsonText;
import jakarta.json.JsonObject;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The conversation core without a container ({@link ConversationFixture}): the turn's state
 * machine, cancel in every phase, what is committed and when, fan-out to several sockets, and the
 * resume grace.
 */
class ConversationTest {

    private final ConversationFixture fixture = new ConversationFixture().start();
    private final Conversation conversation = fixture.conversation;

    private Socket opened() {
        Socket socket = new Socket(null);
        conversation.open(socket);
        return socket;
    }

    private static String finishReason(String completion) {
        return JsonText.object(completion).getJsonArray("choices").getJsonObject(0).getString("finish_reason");
    }

    private List<String> storedRoles() {
        return fixture.stored.getOrDefault(ConversationFixture.ID, List.of()).stream()
                .map(json -> JsonText.object(json).getString("role")).toList();
    }

    @Test
    void aTurnRelaysEachChunkAsReceivedThenCommitsBeforeItsCompletionGoesOut() {
        Socket socket = opened();
        conversation.receive(socket, ask("hi"));
        assertTrue(fixture.call().body.contains("\"content\":\"hi\""), fixture.call().body);
        fixture.call().listener.event(chunk("Hel"));
        fixture.call().listener.event(chunk("lo"));
        fixture.call().listener.event(lastChunk());
        fixture.call().listener.completed(true);
        assertEquals(List.of("conversation:0", chunk("Hel"), chunk("lo"), lastChunk()), socket.frames(), "chunks byte for byte, no completion before the commit");
        assertTrue(storedRoles().isEmpty(), "committed on the background thread");

        fixture.runBackground();
        assertEquals(List.of("user", "assistant"), storedRoles());
        String completion = socket.frames().get(4);
        assertEquals("stop", finishReason(completion));
        assertEquals("Hello", JsonText.object(completion).getJsonArray("choices").getJsonObject(0).getJsonObject("message").getString("content"));
    }

    @Test
    void aRequestDuringATurnIsRefusedAndSoIsOneWhileTheTurnIsBeingCommitted() {
        Socket socket = opened();
        conversation.receive(socket, ask("one"));
        conversation.receive(socket, ask("two"));
        assertEquals("error:turn_in_progress", socket.frames().get(1));
        fixture.call().listener.event(lastChunk());
        fixture.call().listener.completed(true);
        conversation.receive(socket, ask("three"));
        assertEquals("error:turn_in_progress", socket.frames().get(3), "the slot is held until the commit ends");
        assertEquals(1, fixture.calls.size());

        fixture.runBackground();
        conversation.receive(socket, ask("four"));
        assertEquals(2, fixture.calls.size(), "the next turn starts once the first is committed");
        assertTrue(fixture.call().body.contains("\"one\"") && fixture.call().body.contains("\"four\""), "on the committed history: " + fixture.call().body);
    }

    @Test
    void cancelWhileStreamingAbortsTheCallCommitsWhatWasShownAndIgnoresLateChunks() {
        Socket socket = opened();
        conversation.receive(socket, ask("tell me"));
        fixture.call().listener.event(chunk("Once"));
        conversation.receive(socket, control("response.cancel"));
        assertTrue(fixture.call().aborted);
        fixture.call().listener.event(chunk(" upon"));
        fixture.runBackground();
        assertEquals(List.of("conversation:0", chunk("Once")), socket.frames().subList(0, 2));
        assertEquals("cancelled", finishReason(socket.frames().get(2)));
        assertEquals(3, socket.frames().size(), "the late chunk is not relayed");
        assertEquals(List.of("user", "assistant"), storedRoles());
        assertTrue(fixture.stored.get(ConversationFixture.ID).get(1).contains("\"Once\""));
    }

    @Test
    void cancelBeforeAnyChunkCommitsTheRequestAlone() {
        Socket socket = opened();
        conversation.receive(socket, ask("hello?"));
        conversation.receive(socket, control("response.cancel"));
        fixture.runBackground();
        assertEquals("cancelled", finishReason(socket.frames().get(1)));
        assertEquals(List.of("user"), storedRoles());
    }

    @Test
    void cancelWithNoTurnIsAnErrorAndCancelWhileCommittingChangesNothing() {
        Socket socket = opened();
        conversation.receive(socket, control("response.cancel"));
        assertEquals("error:no_turn_in_progress", socket.frames().get(1));
        conversation.receive(socket, ask("x"));
        fixture.call().listener.event(lastChunk());
        fixture.call().listener.completed(true);
        conversation.receive(socket, control("response.cancel"));
        fixture.runBackground();
        assertEquals("stop", finishReason(socket.frames().get(3)), "completed, not cancelled: " + socket.frames());
        assertEquals(4, socket.frames().size(), "one terminal frame");
    }

    @Test
    void anUpstreamFailureEndsTheTurnWithAnErrorFrameAndCommitsNothing() {
        Socket socket = opened();
        conversation.receive(socket, ask("x"));
        fixture.call().listener.event(chunk("par"));
        fixture.call().listener.failed(502, "The upstream API answered 502.");
        assertEquals("error:upstream_error", socket.frames().get(2));
        assertTrue(fixture.background.isEmpty(), "nothing to commit");
        conversation.receive(socket, ask("again"));
        assertEquals(2, fixture.calls.size(), "the slot is free");
        assertFalse(fixture.call().body.contains("\"x\""), "the failed turn is not in the history: " + fixture.call().body);
    }

    @Test
    void aStreamThatStopsWithoutDoneOrFinishReasonFailsAndAnErrorEventFailsToo() {
        Socket socket = opened();
        conversation.receive(socket, ask("x"));
        fixture.call().listener.event(chunk("cut"));
        fixture.call().listener.completed(false);
        assertEquals("error:upstream_error", socket.frames().get(2));
        conversation.receive(socket, ask("y"));
        fixture.call().listener.event("{\"error\":{\"code\":\"overloaded\"}}");
        assertEquals("error:upstream_error", socket.frames().get(3));
        fixture.call().listener.event("not json");
        assertEquals(4, socket.frames().size(), "an ended turn hears nothing more");
    }

    @Test
    void aNonStreamedAnswerIsRelayedAsReceivedAndItsAssistantMessageCommitted() {
        Socket socket = opened();
        conversation.receive(socket, request("{\"messages\":[{\"role\":\"user\",\"content\":\"q\"}],\"stream\":false}"));
        String body = "{\"id\":\"x\",\"object\":\"chat.completion\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"a\",\"extra\":1},\"finish_reason\":\"stop\"}],\"vendor\":true}";
        fixture.call().listener.body(body);
        fixture.runBackground();
        assertEquals(body, socket.frames().get(1));
        JsonObject assistant = JsonText.object(fixture.stored.get(ConversationFixture.ID).get(1));
        assertEquals("a", assistant.getString("content"));
        assertFalse(assistant.containsKey("extra"), "the history keeps the standard members");
    }

    @Test
    void aFailedCommitEndsTheTurnWithInternalErrorAndKeepsNothing() {
        Socket socket = opened();
        fixture.storeFails = true;
        conversation.receive(socket, ask("x"));
        fixture.call().listener.event(lastChunk());
        fixture.call().listener.completed(true);
        fixture.runBackground();
        assertEquals("error:internal_error", socket.frames().get(2));
        fixture.storeFails = false;
        conversation.receive(socket, ask("y"));
        assertFalse(fixture.call().body.contains("\"x\""), "not in the history: " + fixture.call().body);
    }

    @Test
    void everySocketGetsEveryFrameInOrderAndOneAttachingMidTurnGetsWhatWasRelayedSoFar() {
        Socket first = opened();
        conversation.receive(first, ask("x"));
        fixture.call().listener.event(chunk("a"));
        Socket second = new Socket(null);
        assertEquals(Attach.ATTACHED, conversation.attach(second));
        fixture.call().listener.event(chunk("b"));
        fixture.call().listener.event(lastChunk());
        fixture.call().listener.completed(true);
        fixture.runBackground();
        assertEquals(first.frames().subList(1, 5), second.frames().subList(1, 5));
        assertEquals(List.of("conversation:0", chunk("a"), chunk("b"), lastChunk()), second.frames().subList(0, 4));
        assertEquals(5, second.frames().size());
    }

    @Test
    void theLastSocketLeavingMidTurnStartsTheGraceAndTheTurnIsCancelledWhenItEnds() {
        Socket socket = opened();
        conversation.receive(socket, ask("x"));
        fixture.call().listener.event(chunk("a"));
        conversation.detach(socket);
        assertFalse(fixture.call().aborted, "the turn runs on");
        List<ConversationFixture.Timer> pending = fixture.pending();
        assertEquals(1, pending.size());
        assertEquals(Duration.ofSeconds(30), pending.get(0).delay);
        pending.get(0).fire();
        assertTrue(fixture.call().aborted, "cancelled at the grace's end");
        fixture.runBackground();
        assertEquals(List.of("user", "assistant"), storedRoles(), "what was shown is committed");
    }

    @Test
    void aSocketReattachingWithinTheGraceStopsItAndGetsTheTurnWhole() {
        Socket socket = opened();
        conversation.receive(socket, ask("x"));
        fixture.call().listener.event(chunk("a"));
        conversation.detach(socket);
        ConversationFixture.Timer grace = fixture.pending().get(0);
        Socket again = new Socket(null);
        conversation.attach(again);
        assertTrue(grace.cancelled, "the grace stops");
        fixture.call().listener.event(lastChunk());
        fixture.call().listener.completed(true);
        fixture.runBackground();
        assertEquals(List.of("conversation:0", chunk("a"), lastChunk()), again.frames().subList(0, 3));
        assertEquals("stop", finishReason(again.frames().get(3)));
    }

    @Test
    void withNoGraceTheLastSocketLeavingCancelsAtOnceAndADroppedSocketNeverWaits() {
        fixture.grace = Duration.ZERO;
        Socket socket = opened();
        conversation.receive(socket, ask("x"));
        conversation.detach(socket);
        assertTrue(fixture.call().aborted);

        fixture.grace = Duration.ofSeconds(30);
        fixture.runBackground();
        Socket slow = new Socket(null);
        conversation.attach(slow);
        conversation.receive(slow, ask("y"));
        conversation.drop(slow);
        assertTrue(fixture.call().aborted, "dropped: no grace");
    }

    @Test
    void anIdleConversationUnloadsAfterItsDelayUnlessASocketAttaches() {
        Socket socket = opened();
        conversation.detach(socket);
        List<ConversationFixture.Timer> pending = fixture.pending();
        assertEquals(1, pending.size());
        assertEquals(Duration.ofMinutes(1), pending.get(0).delay);
        pending.get(0).fire();
        assertTrue(fixture.ended, "unloaded");
        assertEquals(Attach.GONE, conversation.attach(new Socket(null)), "look it up again");
    }

    @Test
    void theApplicationStoppingCancelsTheTurnAndLetsTheSocketsGoAfterTheTerminalFrame() {
        Socket socket = opened();
        conversation.receive(socket, ask("x"));
        fixture.call().listener.event(chunk("a"));
        conversation.shutdown();
        assertEquals(null, socket.closedWith, "not before the commit");
        fixture.runBackground();
        assertEquals("cancelled", finishReason(socket.frames().get(2)));
        assertEquals("1001", socket.closedWith);
    }

    @Test
    void erasureCancelsWithoutCommittingAndClosesWith4404ButOnlyForItsOwner() {
        Socket alice = new Socket("alice");
        conversation.open(alice);
        assertFalse(conversation.eraseFor("mallory"));
        conversation.receive(alice, ask("secret"));
        assertTrue(conversation.eraseFor("alice"));
        fixture.runBackground();
        assertTrue(fixture.stored.isEmpty(), "nothing stored");
        assertEquals("4404", alice.closedWith);
        assertTrue(fixture.ended);
    }

    @Test
    void anotherUsersSocketCannotAttach() {
        conversation.open(new Socket("alice"));
        assertEquals(Attach.NOT_YOURS, conversation.attach(new Socket("bob")));
    }

    private static final String CALL = "{\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":null,"
            + "\"tool_calls\":[{\"index\":0,\"id\":\"call_a\",\"type\":\"function\",\"function\":{\"name\":\"weather\",\"arguments\":\"{\\\"ci\"}}]}}]}";

    @Test
    void aToolCallCutByMaxTokensIsShownButNeverCommitted() {
        Socket socket = opened();
        conversation.receive(socket, ask("weather?"));
        fixture.call().listener.event(CALL);
        fixture.call().listener.event("{\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"length\"}]}");
        fixture.call().listener.completed(true);
        fixture.runBackground();
        String completion = socket.frames().get(socket.frames().size() - 1);
        assertTrue(completion.contains("\"arguments\":\"{\\\"ci\""), "the terminal frame shows the call as it came: " + completion);
        assertEquals(List.of("user"), storedRoles(), "nothing else was left of the answer");
        conversation.receive(socket, ask("and now?"));
        assertEquals(2, fixture.calls.size(), "the next turn is sent, with no cut call in it");
        assertFalse(fixture.call().body.contains("call_a"), fixture.call().body);
    }

    @Test
    void afterAnAnswerThatCalledToolsTheNextRequestMustAnswerEachCall() {
        Socket socket = opened();
        conversation.receive(socket, ask("weather?"));
        fixture.call().listener.event(CALL.replace("{\\\"ci\"", "{}\""));
        fixture.call().listener.event("{\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"tool_calls\"}]}");
        fixture.call().listener.completed(true);
        fixture.runBackground();
        conversation.receive(socket, ask("never mind"));
        String refused = socket.frames().get(socket.frames().size() - 1);
        assertEquals("error:invalid_request", refused);
        assertEquals(1, fixture.calls.size(), "refused before any upstream call");
        conversation.receive(socket, request("{\"messages\":[{\"role\":\"tool\",\"tool_call_id\":\"call_a\",\"content\":\"sunny\"}]}"));
        assertEquals(2, fixture.calls.size(), "answered: the turn goes upstream");
    }
}
