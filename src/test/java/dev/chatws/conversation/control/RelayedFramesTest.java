package dev.chatws.conversation.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RelayedFramesTest {

    private static List<String> all(RelayedFrames frames, int from) {
        List<String> texts = new ArrayList<>();
        List<Integer> seqs = new ArrayList<>();
        frames.from(from, (text, seq) -> {
            texts.add(text);
            seqs.add(seq);
        });
        for (int i = 0; i < seqs.size(); i++) {
            assertEquals(from + i, seqs.get(i), "places in order");
        }
        return texts;
    }

    @Test
    void everyTextComesBackExactlyInOrderWhateverItsCharacters() {
        List<String> texts = List.of(
                "{\"choices\":[{\"delta\":{\"content\":\"hi\"}}]}",
                "caf\u00e9 \u00ff",
                "\u4e2d\u6587 and \u00e9",
                "\ud83d\ude00 a pair",
                "a lone \ud800 high and \udc00 low surrogate",
                "",
                "\u0000 nul and \u0100");
        RelayedFrames frames = new RelayedFrames();
        texts.forEach(frames::add);

        assertEquals(texts.size(), frames.size());
        assertEquals(texts, all(frames, 0));
        assertEquals(texts.subList(3, texts.size()), all(frames, 3));
        assertEquals(List.of(), all(frames, texts.size()));
    }

    @Test
    void framesFillManyBlocksAndOneLargerThanABlockGetsItsOwn() {
        RelayedFrames dirty = new RelayedFrames();
        for (int i = 0; i < 1_000; i++) {
            dirty.add("x".repeat(301));
        }
        dirty.release(); // the blocks below come from the pool, holding that
        Random random = new Random(42);
        List<String> texts = new ArrayList<>();
        RelayedFrames frames = new RelayedFrames();
        for (int i = 0; i < 400; i++) {
            int length = switch (i % 50) {
                case 7 -> RelayedFrames.BLOCK - 4; // fills a block exactly
                case 8 -> RelayedFrames.BLOCK - 3; // one byte too many: a block of its own
                case 9 -> 3 * RelayedFrames.BLOCK;
                case 10 -> RelayedFrames.BLOCK / 2 + 1; // wide: twice that
                default -> random.nextInt(900);
            };
            StringBuilder text = new StringBuilder(length);
            for (int c = 0; c < length; c++) {
                text.append(i % 5 == 0 || i % 50 == 10 ? (char) ('\u0400' + random.nextInt(200)) : (char) (' ' + random.nextInt(0xDF)));
            }
            texts.add(text.toString());
            frames.add(text.toString());
        }

        assertEquals(texts, all(frames, 0));
        assertEquals(texts.subList(257, 400), all(frames, 257));
    }

    @Test
    void aReleasedTurnsBlocksServeTheNextTurnWhichReadsOnlyItsOwnFrames() {
        RelayedFrames earlier = new RelayedFrames();
        for (int i = 0; i < 2_000; i++) {
            earlier.add("{\"secret\":\"of an earlier conversation " + i + "\"}");
        }
        earlier.release();

        RelayedFrames next = new RelayedFrames();
        next.add("one");
        next.add("two");
        assertEquals(List.of("one", "two"), all(next, 0));
        for (int i = 0; i < 200; i++) {
            next.add("frame " + i);
        }
        List<String> read = all(next, 0);
        assertEquals(202, read.size());
        assertTrue(read.stream().noneMatch(text -> text.contains("secret")));
    }

    @Test
    void aReleasedLogCannotBeReadOrWrittenAgain() {
        RelayedFrames frames = new RelayedFrames();
        frames.add("a");
        frames.release();
        frames.release();

        assertThrows(IllegalStateException.class, () -> frames.add("b"));
        assertThrows(IllegalStateException.class, () -> frames.from(0, (text, seq) -> { }));
    }
}
