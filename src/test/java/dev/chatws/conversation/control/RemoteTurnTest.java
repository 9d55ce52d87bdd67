package dev.chatws.conversation.control;

import static dev.chatws.conversation.control.ConversationFixture.ask;
import static dev.chatws.conversation.control.ConversationFixture.chunk;
import static dev.chatws.conversation.control.ConversationFixture.control;
import static dev.chatws.conversation.control.ConversationFixture.lastChunk;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chatws.conversation.control.ConversationFixture.Socket;
import dev.chatws.conversation.entity.TokenUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A conversation whose turns cross servers, against a ledger in memory: the watcher's side (a turn
 * of another server relayed to sockets here, in order, ending with its terminal frame after the
 * committed history is read; requests refused and cancels forwarded meanwhile) and the owner's
 * (a turn claims its slot before it starts; once watched, its frames go to the ledger; its end
 * carries what the ledger does not have yet and the terminal frame).
 */
class RemoteTurnTest {

    /** A ledger in memory: the test says what runs elsewhere and which frames are written; it records what the conversation asks. */
    static final class Ledger implements TurnLedger {
        TurnLedger.Claim claim = TurnLedger.Claim.TAKEN;
        Optional<Remote> running = Optional.empty();
        final List<Frame> written = new ArrayList<>();
        final List<String> asked = new ArrayList<>();

        @Override
        public boolean shared() {
            return true;
        }

        @Override
        public Claim claim(String conversation, String turn, TurnRecord record) {
            asked.add("claim " + record.kind() + " " + record.seq());
            return claim;
        }

        @Override
        public void relayed(String conversation, String turn, int seq, String frame) {
            asked.add("relayed " + seq + " " + frame);
        }

        @Override
        public void ended(String conversation, String turn, List<Frame> unsent) {
            asked.add("ended " + unsent.stream().map(frame -> frame.seq() + (frame.last() ? "!" : "")).toList());
        }

        @Override
        public Optional<Remote> running(String conversation) {
            return running;
        }

        @Override
        public Optional<TurnRecord> pending(String conversation) {
            return Optional.empty();
        }

        @Override
        public boolean watch(String conversation, Remote turn) {
            asked.add("watch " + turn.turn());
            return true;
        }

        @Override
        public List<Frame> frames(String turn, int from) {
            return written.stream().filter(frame -> frame.seq() >= from).toList();
        }

        @Override
        public void frames(String turn, int from, java.util.function.Consumer<List<Frame>> then) {
            then.accept(frames(turn, from));
        }

        @Override
        public void cancel(String conversation, Remote turn) {
            asked.add("cancel " + turn.turn() + " on " + turn.server());
        }
    }

    private final Ledger ledger = new Ledger();
    private final ConversationFixture fixture = new ConversationFixture();
    private final Conversation conversation;

    RemoteTurnTest() {
        fixture.conversation.ledger = ledger;
        fixture.start();
        conversation = fixture.conversation;
    }

    private Socket opened() {
        Socket socket = new Socket(null);
        conversation.open(socket);
        return socket;
    }

    private static String completion(String content, String finish) {
        return "{\"id\":\"c1\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,\"message\":"
                + "{\"role\":\"assistant\",\"content\":\"" + content + "\"},\"finish_reason\":\"" + finish + "\"}]}";
    }

    @Test
    void aTurnRunningElsewhereIsRelayedInOrderThenItsTerminalFrameAfterTheCommittedHistory() {
        ledger.running = Optional.of(new TurnLedger.Remote("turn_1", "srv_a", "TURN"));
        ledger.written.add(new TurnLedger.Frame(0, chunk("Hel"), false));
        Socket first = opened();
        fixture.runBackground();
        assertEquals(List.of("watch turn_1"), ledger.asked);
        assertEquals(List.of("conversation:0", chunk("Hel")), first.frames(), "what was relayed before the watch began");

        Socket second = new Socket(null);
        assertEquals(Attach.ATTACHED, conversation.attach(second));
        assertEquals(List.of("conversation:0", chunk("Hel")), second.frames(), "a socket attaching later gets the same");

        ledger.written.add(new TurnLedger.Frame(1, chunk("lo"), false));
        conversation.remote().framesWritten("turn_1");
        conversation.remote().framesWritten("turn_1");
        conversation.remote().framesWritten("turn_other");
        assertEquals(List.of("conversation:0", chunk("Hel"), chunk("lo")), first.frames(), "each frame once, whatever woke the reader");

        conversation.receive(first, ask("meanwhile"));
        assertEquals("error:turn_in_progress", first.frames().get(3), "the turn elsewhere holds the conversation");
        conversation.receive(second, control("response.cancel"));
        assertTrue(ledger.asked.contains("cancel turn_1 on srv_a"), "the cancel goes to the turn's server");

        // The turn's server commits, then writes the terminal frame.
        conversation.store.append(ConversationFixture.ID, 1, null, List.of(new HistoryStore.Node(0, -1, "{\"role\":\"user\",\"content\":\"hi\"}", null),
                new HistoryStore.Node(1, 0, "{\"role\":\"assistant\",\"content\":\"Hello\"}", null)), 1,
                new HistoryStore.Summary(2, "m", TokenUsage.NONE), 0);
        ledger.written.add(new TurnLedger.Frame(2, lastChunk(), false));
        ledger.written.add(new TurnLedger.Frame(3, completion("Hello", "stop"), true));
        conversation.remote().framesWritten("turn_1");
        assertEquals(4, second.frames().size(), "the terminal frame waits for the committed history, read off the reading thread");
        fixture.runBackground();
        assertEquals(List.of("conversation:0", chunk("Hel"), chunk("lo"), lastChunk(), completion("Hello", "stop")), second.frames(),
                "every frame of the turn, the terminal frame last, nothing else");
        conversation.receive(second, control("conversation.get"));
        assertEquals("conversation:2", second.frames().get(5), "the socket's server holds the committed turn by then");

        conversation.receive(second, ask("next"));
        fixture.runBackground();
        assertTrue(fixture.call().body.contains("Hello"), "the next turn here sends the turn committed elsewhere: " + fixture.call().body);
    }

    @Test
    void aWatchedTurnWhoseRowVanishedWithoutATerminalFrameStopsHoldingTheConversation() {
        ledger.running = Optional.of(new TurnLedger.Remote("turn_1", "srv_a", "TURN"));
        ledger.written.add(new TurnLedger.Frame(0, chunk("Hel"), false));
        Socket socket = opened();
        fixture.runBackground();
        conversation.remote().vanished("turn_other");
        conversation.receive(socket, ask("still watching"));
        assertEquals("error:turn_in_progress", socket.frames().get(2), "another turn's disappearance changes nothing");
        conversation.remote().vanished("turn_1");
        conversation.receive(socket, ask("after"));
        fixture.runBackground();
        assertEquals(List.of("conversation:0", chunk("Hel"), "error:turn_in_progress"), socket.frames(), "no terminal frame is made up");
        assertTrue(fixture.call().body.contains("after"), "and a turn may start here again");
    }

    @Test
    void aTurnClaimsItsSlotFirstAndIsRefusedIfAnotherServerHoldsIt() {
        Socket socket = opened();
        ledger.claim = TurnLedger.Claim.BUSY;
        conversation.receive(socket, ask("one"));
        conversation.receive(socket, ask("two"));
        assertEquals(List.of("conversation:0", "error:turn_in_progress"), socket.frames(), "one claim at a time");
        fixture.runBackground();
        assertEquals(List.of("claim TURN 0"), ledger.asked);
        assertEquals(List.of("conversation:0", "error:turn_in_progress", "error:turn_in_progress"), socket.frames());
        assertTrue(fixture.calls.isEmpty(), "no upstream call for a refused claim");

        ledger.claim = TurnLedger.Claim.TAKEN;
        conversation.receive(socket, ask("three"));
        conversation.receive(socket, control("response.cancel"));
        fixture.runBackground();
        assertTrue(fixture.calls.get(0).aborted, "cancelled while claiming: it ends as soon as it starts");
        assertEquals(List.of("user"), fixture.stored.get(ConversationFixture.ID).stream()
                .map(json -> dev.chatws.json.JsonText.object(json).getString("role")).toList(), "and commits the user's message (§4)");
    }

    @Test
    void aWatchedTurnHandsItsFramesToTheLedgerAndEndsWithWhatItDoesNotHaveYet() {
        Socket socket = opened();
        conversation.receive(socket, ask("hi"));
        fixture.runBackground();
        fixture.call().listener.event(chunk("a"));
        fixture.call().listener.event(chunk("b"));
        String turn = conversation.remote().runningHere().orElseThrow();
        conversation.remote().watchedElsewhere(turn, System.currentTimeMillis() + 10_000);
        conversation.remote().watchedElsewhere(turn, System.currentTimeMillis() + 10_000);
        fixture.call().listener.event(chunk("c"));
        conversation.remote().cancelAsked(turn);
        fixture.runBackground();
        assertEquals(List.of("claim TURN 0", "relayed 0 " + chunk("a"), "relayed 1 " + chunk("b"), "relayed 2 " + chunk("c"), "ended [3!]"),
                ledger.asked, "the frames so far once when first watched, then each as relayed, then the terminal frame");
        assertEquals("cancelled", dev.chatws.json.JsonText.object(socket.frames().get(4)).getJsonArray("choices").getJsonObject(0)
                .getString("finish_reason"), "a cancel from another server ends it here");
    }
}
