package dev.chatws.conversation.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * How the change feed packs ids into NOTIFY payloads (under PostgreSQL's 8,000 bytes, each id once,
 * none lost), and which payloads a server takes: others' changes, and turn signals meant for all or for it.
 */
class ChangeFeedTest {

    @Test
    void idsArePackedIntoPayloadsUnderTheLimitEachOnceInOrder() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            ids.add(String.format("conv_%022d", i));
        }
        ids.add("conv_0000000000000000000007");
        List<String> payloads = FeedPayloads.payloads("srv_abc", ids);
        assertTrue(payloads.size() > 1, "27 bytes × 1,000 ids do not fit one payload");
        List<String> back = new ArrayList<>();
        for (String payload : payloads) {
            assertTrue(payload.getBytes(StandardCharsets.UTF_8).length <= ChangeFeed.MAX_PAYLOAD, payload.length() + " bytes");
            String[] words = payload.split(" ");
            assertEquals("c", words[0]);
            assertEquals("srv_abc", words[1]);
            back.addAll(Arrays.asList(words).subList(2, words.length));
        }
        assertEquals(ids.subList(0, 1000), back, "every id once, in order");
        assertEquals(List.of("c srv_abc conv_1"), FeedPayloads.payloads("srv_abc", List.of("conv_1", "conv_1")));
    }

    @Test
    void aServerTakesTheOthersChangesAndTheTurnSignalsMeantForIt() {
        assertEquals(List.of("conv_1", "conv_2"), FeedPayloads.changes("c srv_b conv_1 conv_2", "srv_a"));
        assertEquals(List.of(), FeedPayloads.changes("c srv_a conv_1", "srv_a"), "its own");
        assertEquals(List.of(), FeedPayloads.changes("p srv_b 123", "srv_a"), "a probe");
        ChangeFeed.TurnSignal started = new ChangeFeed.TurnSignal(ChangeFeed.TurnSignal.STARTED, "srv_b", "conv_1", "turn_1", "-", "TURN");
        assertEquals(java.util.Optional.of(started), FeedPayloads.signal(started.payload(), "srv_a"), "to every server");
        ChangeFeed.TurnSignal cancel = new ChangeFeed.TurnSignal(ChangeFeed.TurnSignal.CANCEL, "srv_b", "conv_1", "turn_1", "srv_a", "-");
        assertEquals(java.util.Optional.of(cancel), FeedPayloads.signal(cancel.payload(), "srv_a"), "to this one");
        assertTrue(FeedPayloads.signal(cancel.payload(), "srv_c").isEmpty(), "to another one");
        assertTrue(FeedPayloads.signal(started.payload(), "srv_b").isEmpty(), "its own");
        assertTrue(FeedPayloads.signal("q srv_b conv_1 turn_1 - -", "srv_a").isEmpty(), "an unknown kind");
        assertTrue(FeedPayloads.signal("c srv_b conv_1 conv_2 conv_3 conv_4", "srv_a").isEmpty(), "a change of five ids is no signal");
        assertTrue(FeedPayloads.changes(started.payload(), "srv_a").isEmpty(), "a signal is no change");
    }
}
