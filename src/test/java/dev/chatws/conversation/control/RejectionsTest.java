package dev.chatws.conversation.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RejectionsTest {

    private final AtomicLong now = new AtomicLong();
    private final Rejections rejections = new Rejections(now::get);

    @Test
    void theFirstOfEachKindIsLoggedThenCountsAtMostOnceAMinute() {
        assertTrue(rejections.note("invalid_json", "invalid_json").orElseThrow().startsWith("rejected a frame: invalid_json"));
        for (int i = 0; i < 4999; i++) {
            assertEquals(Optional.empty(), rejections.note("invalid_json", "invalid_json"), "frame " + i);
        }
        assertTrue(rejections.note("unknown_type", "unknown_type at type").orElseThrow().contains("unknown_type at type"), "a new kind is logged");
        now.addAndGet(59_000_000_000L);
        assertEquals(Optional.empty(), rejections.note("unknown_type", "unknown_type at type"), "not yet a minute");
        now.addAndGet(1_000_000_000L);
        assertEquals(Optional.of("rejected 5001 more frame(s) since the last count (invalid_json: 5000, unknown_type: 1)"),
                rejections.note("invalid_json", "invalid_json"));
        assertEquals(Optional.empty(), rejections.note("invalid_json", "invalid_json"));
        assertEquals(Optional.of("rejected 1 more frame(s) since the last count (invalid_json: 1)"), rejections.remaining(), "what is left at close");
        assertEquals(Optional.empty(), rejections.remaining());
    }
}
