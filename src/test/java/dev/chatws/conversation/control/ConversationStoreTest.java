package dev.chatws.conversation.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chatws.conversation.entity.TokenUsage;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link ConversationStore}'s commits of turns, without a container: its persistence unit on an
 * in-memory H2 with EclipseLink, as Liberty runs it. A turn's messages and its conversation's
 * update go in one transaction: a taken position fails the whole commit and leaves the stored
 * conversation as it was.
 */
class ConversationStoreTest {

    private static final String ID = "conv_store_test";
    private static final String USER = "{\"role\":\"user\",\"content\":\"hi\"}";
    private static final String ASSISTANT = "{\"role\":\"assistant\",\"content\":\"hello\"}";

    private ConversationStore store;

    @BeforeEach
    void open() {
        store = new ConversationStore();
        store.url = "jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
        store.user = Optional.empty();
        store.password = Optional.empty();
        store.maxConnections = 2;
        store.feed = new ChangeFeed();
        store.feed.url = store.url; // not PostgreSQL: the feed stays off
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void turnsCommittedOneAfterTheOtherComeBackExactlyAndAddUpTheirTokens() {
        store.append(ID, 1_000, null, List.of(new HistoryStore.Node(0, -1, USER, null), new HistoryStore.Node(1, 0, ASSISTANT, "{\"model\":\"m1\"}")),
                1, new HistoryStore.Summary(2, "m1", new TokenUsage(10, 5, 2, 1)), 2_000);
        store.append(ID, 1_000, null, List.of(new HistoryStore.Node(2, 1, USER, null), new HistoryStore.Node(3, 2, ASSISTANT, null)),
                3, new HistoryStore.Summary(4, null, new TokenUsage(20, 7, 0, 3)), 3_000);

        HistoryStore.Stored stored = store.load(ID).orElseThrow();
        assertEquals(List.of(new HistoryStore.Node(0, -1, USER, null), new HistoryStore.Node(1, 0, ASSISTANT, "{\"model\":\"m1\"}"),
                new HistoryStore.Node(2, 1, USER, null), new HistoryStore.Node(3, 2, ASSISTANT, null)), stored.messages());
        assertEquals(3, stored.active());
        assertEquals(1_000, stored.created());
        assertNull(stored.owner());
        assertEquals(new TokenUsage(30, 12, 2, 4), stored.usage());
        assertEquals(new HistoryStore.Mark(4, 3), store.mark(ID).orElseThrow());
    }

    @Test
    void aTakenPositionFailsTheWholeCommitAsAConflict() {
        store.append(ID, 1_000, null, List.of(new HistoryStore.Node(0, -1, USER, null), new HistoryStore.Node(1, 0, ASSISTANT, null)),
                1, new HistoryStore.Summary(2, "m1", new TokenUsage(10, 5, 0, 0)), 2_000);
        store.append(ID, 1_000, null, List.of(new HistoryStore.Node(2, 1, USER, null), new HistoryStore.Node(3, 2, ASSISTANT, null)),
                3, new HistoryStore.Summary(4, "m1", new TokenUsage(10, 5, 0, 0)), 3_000);

        // Another server's commit of positions 4 and 5 would have been first; this one takes 3 again.
        StoreException taken = assertThrows(StoreException.class, () -> store.append(ID, 1_000, null,
                List.of(new HistoryStore.Node(3, 2, USER, null), new HistoryStore.Node(4, 3, ASSISTANT, null)),
                4, new HistoryStore.Summary(5, "m2", new TokenUsage(99, 99, 99, 99)), 4_000));
        assertTrue(taken.conflict(), taken.getMessage());

        HistoryStore.Stored stored = store.load(ID).orElseThrow();
        assertEquals(4, stored.messages().size(), "no message of the failed commit: " + stored.messages());
        assertEquals(3, stored.active(), "its active leaf as the last commit left it");
        assertEquals(new TokenUsage(20, 10, 0, 0), stored.usage(), "the failed commit's tokens not added");
    }

    @Test
    void aCommitToAConversationDeletedMeanwhileFailsWithoutConflict() {
        store.append(ID, 1_000, null, List.of(new HistoryStore.Node(0, -1, USER, null), new HistoryStore.Node(1, 0, ASSISTANT, null)),
                1, new HistoryStore.Summary(2, "m1", TokenUsage.NONE), 2_000);
        assertTrue(store.delete(ID));

        StoreException gone = assertThrows(StoreException.class, () -> store.append(ID, 1_000, null,
                List.of(new HistoryStore.Node(2, 1, USER, null), new HistoryStore.Node(3, 2, ASSISTANT, null)),
                3, new HistoryStore.Summary(4, "m1", TokenUsage.NONE), 3_000));
        assertFalse(gone.conflict(), gone.getMessage());
        assertEquals(Optional.empty(), store.load(ID), "no message of it stored without its conversation");
    }

    @Test
    void theInsertNamesOneRowPerMessage() {
        assertEquals("insert into chat_message (conversation_id, seq, parent_seq, body, request) values (?, ?, ?, ?, ?)", TurnRows.insertSql(1));
        assertTrue(TurnRows.insertSql(3).endsWith("values (?, ?, ?, ?, ?), (?, ?, ?, ?, ?), (?, ?, ?, ?, ?)"), TurnRows.insertSql(3));
    }
}
