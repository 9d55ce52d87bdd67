package dev.chatws.conversation.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How the change feed packs ids into NOTIFY payloads: under PostgreSQL's 8,000 bytes, each id once, none lost. */
class ChangeFeedTest {

    @Test
    void idsArePackedIntoPayloadsUnderTheLimitEachOnceInOrder() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            ids.add(String.format("conv_%022d", i));
        }
        ids.add("conv_0000000000000000000007");
        List<String> payloads = ChangeFeed.payloads("srv_abc", ids);
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
        assertEquals(List.of("c srv_abc conv_1"), ChangeFeed.payloads("srv_abc", List.of("conv_1", "conv_1")));
    }
}
