package dev.chatws.conversation.control;

import static dev.chatws.conversation.control.ConversationFixture.chunk;
import static dev.chatws.conversation.control.ConversationFixture.lastChunk;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chatws.conversation.control.ConversationFixture.Socket;
import dev.chatws.conversation.entity.ControlFrame;
import dev.chatws.conversation.entity.ConversationExport;
import dev.chatws.conversation.entity.ConversationFrame;
import dev.chatws.conversation.entity.ErrorFrame;
import dev.chatws.conversation.entity.ServerFrame;
import dev.chatws.conversation.entity.TokenUsage;
import dev.chatws.json.JsonText;
import dev.chatws.testing.Await;
import jakarta.json.JsonObject;
import java.util.List;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/**
 * What the HTTP API (PROTOCOL §12) asks of one conversation — its frame, its export, an update —
 * and what commits count for the list (path length, model, usage), on the core without a container.
 */
class VisitsTest {

    private final ConversationFixture fixture = new ConversationFixture().start();
    private final Conversation conversation = fixture.conversation;
    private final Socket alice = new Socket("alice");

    private void turn(String said, String answer, String usage) {
        conversation.receive(alice, ConversationFixture.ask(said));
        fixture.call().listener.event(chunk(answer));
        fixture.call().listener.event(lastChunk());
        fixture.call().listener.event("{\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[],\"usage\":" + usage + "}");
        fixture.call().listener.completed(true);
        fixture.runBackground();
    }

    @Test
    void aUsersConversationIsThatUsersOnlyAndAnAnonymousOneIsWhoeversHoldsItsId() {
        conversation.open(alice);
        assertTrue(conversation.visits().view("bob").isEmpty(), "another user");
        assertTrue(conversation.visits().view(null).isEmpty(), "anonymous");
        assertTrue(conversation.visits().export("bob").isEmpty());
        assertTrue(conversation.visits().update("bob", JsonText.object("{\"title\":\"x\"}")).isEmpty());
        assertNull(fixture.profiles.get(ConversationFixture.ID), "nothing stored for bob");
        assertInstanceOf(ConversationFrame.class, conversation.visits().view("alice").orElseThrow());

        ConversationFixture anonymous = new ConversationFixture().start();
        anonymous.conversation.open(new Socket(null));
        assertTrue(anonymous.conversation.visits().view("bob").isPresent());
        assertTrue(anonymous.conversation.visits().view(null).isPresent());
    }

    @Test
    void anUpdateOverHttpAnswersTheFrameAndEverySocketGetsItOrChangesNothing() {
        conversation.open(alice);
        ServerFrame answer = conversation.visits().update("alice", JsonText.object("{\"title\":\"Trip\",\"settings\":{\"model\":\"m2\"}}")).orElseThrow();
        ConversationFrame frame = (ConversationFrame) answer;
        assertEquals("Trip", frame.title());
        assertEquals("m2", frame.settings().getString("model"));
        assertEquals(frame, alice.delivered.get(alice.delivered.size() - 1), "the socket heard it");
        int heard = alice.delivered.size();

        ServerFrame refused = conversation.visits().update("alice", JsonText.object("{\"title\":null,\"settings\":{\"colour\":1}}")).orElseThrow();
        assertEquals("settings.colour", ((ErrorFrame) refused).error().param());
        assertEquals(heard, alice.delivered.size(), "the sockets hear nothing of a refusal");
        assertEquals("Trip", ((ConversationFrame) conversation.visits().view("alice").orElseThrow()).title(), "nothing changed");
    }

    @Test
    void twoUpdatesAtOnceAreBothKept() throws Exception {
        conversation.open(alice);
        CountDownLatch storing = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        fixture.onDescribe = () -> {
            if (storing.getCount() > 0) {
                storing.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        Thread title = new Thread(() -> conversation.visits().update("alice", JsonText.object("{\"title\":\"Trip\"}")));
        title.start();
        storing.await();
        Thread model = new Thread(() -> conversation.visits().update("alice", JsonText.object("{\"settings\":{\"model\":\"m2\"}}")));
        model.start();
        // The second waits for the first to be stored, or (were updates not to take turns) has gone ahead.
        assertTrue(Await.until(Duration.ofSeconds(10), () -> model.getState() == Thread.State.BLOCKED || !model.isAlive()));
        release.countDown();
        title.join();
        model.join();
        ConversationFrame frame = (ConversationFrame) conversation.visits().view("alice").orElseThrow();
        assertEquals("Trip", frame.title(), "the first update's title");
        assertEquals("m2", frame.settings().getString("model"), "the second update's model");
        assertEquals("Trip", fixture.profiles.get(ConversationFixture.ID)[0], "the store has both too");
        assertTrue(fixture.profiles.get(ConversationFixture.ID)[1].contains("m2"));
    }

    @Test
    void theExportHoldsEveryBranchInCommitOrderWithItsActiveLeaf() {
        conversation.open(alice);
        turn("hi", "hello", "{\"prompt_tokens\":5,\"completion_tokens\":1}");
        conversation.receive(alice, new ControlFrame(JsonText.object("{\"type\":\"response.regenerate\"}")));
        fixture.call().listener.event(chunk("hey"));
        fixture.call().listener.event(lastChunk());
        fixture.call().listener.completed(true);
        fixture.runBackground();

        ConversationExport export = conversation.visits().export("alice").orElseThrow();
        assertEquals("conversation.export", export.object());
        assertEquals("msg_2", export.active());
        List<String> lines = export.messages().stream().map(JsonObject.class::cast)
                .map(entry -> entry.getString("id") + "<" + entry.get("parent") + ":" + entry.getJsonObject("message").getString("content"))
                .toList();
        assertEquals(List.of("msg_0<null:hi", "msg_1<\"msg_0\":hello", "msg_2<\"msg_0\":hey"), lines);
    }

    @Test
    void everyCommitCountsItsPathLengthModelAndUsageAndTheFrameShowsTheSum() {
        conversation.open(alice);
        turn("hi", "hello", "{\"prompt_tokens\":5,\"completion_tokens\":2,\"prompt_tokens_details\":{\"cached_tokens\":3}}");
        turn("more", "sure", "{\"prompt_tokens\":9,\"completion_tokens\":4,\"completion_tokens_details\":{\"reasoning_tokens\":1}}");
        List<HistoryStore.Summary> summaries = fixture.summaries.get(ConversationFixture.ID);
        assertEquals(List.of(2, 4), summaries.stream().map(HistoryStore.Summary::pathLength).toList());
        assertEquals("test-model", summaries.get(1).model());
        assertEquals(new TokenUsage(14, 6, 3, 1), fixture.usages.get(ConversationFixture.ID));
        ConversationFrame frame = (ConversationFrame) conversation.visits().view("alice").orElseThrow();
        assertEquals(JsonText.object("{\"prompt_tokens\":14,\"completion_tokens\":6,\"total_tokens\":20,"
                + "\"prompt_tokens_details\":{\"cached_tokens\":3},\"completion_tokens_details\":{\"reasoning_tokens\":1}}"), frame.usage());
    }

    @Test
    void aChangeElsewhereIsTakenAndToldToEverySocketAndAnErasureElsewhereClosesThem() {
        conversation.open(alice);
        turn("hi", "hello", "{\"prompt_tokens\":1,\"completion_tokens\":1}");
        // Another server commits a turn and retitles the conversation.
        List<HistoryStore.Node> stored = new java.util.ArrayList<>(fixture.nodes.get(ConversationFixture.ID));
        stored.add(new HistoryStore.Node(2, 1, "{\"role\":\"user\",\"content\":\"from B\"}", null));
        stored.add(new HistoryStore.Node(3, 2, "{\"role\":\"assistant\",\"content\":\"B's answer\"}", null));
        fixture.nodes.put(ConversationFixture.ID, stored);
        fixture.actives.put(ConversationFixture.ID, 3);
        fixture.profiles.put(ConversationFixture.ID, new String[] {"Titled on B", null});
        int heard = alice.delivered.size();
        conversation.visits().changedElsewhere();
        ConversationFrame frame = (ConversationFrame) alice.delivered.get(heard);
        assertEquals(4, frame.messages().size(), "the socket got the other server's turn");
        assertEquals("Titled on B", frame.title());

        conversation.receive(alice, ConversationFixture.ask("next"));
        assertTrue(fixture.call().body.contains("B's answer"), "the next turn sends the history as the store has it");
        fixture.call().listener.event(lastChunk());
        fixture.call().listener.completed(true);

        fixture.nodes.remove(ConversationFixture.ID);
        fixture.stored.remove(ConversationFixture.ID);
        fixture.profiles.remove(ConversationFixture.ID);
        conversation.visits().changedElsewhere();
        assertNull(alice.closedWith, "a commit is in flight here: it waits for its end");
        fixture.runBackground();
        assertEquals("4404", alice.closedWith, "erased elsewhere: erased here, once the commit ended");
    }
}
