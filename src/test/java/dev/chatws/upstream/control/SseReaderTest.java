package dev.chatws.upstream.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SseReaderTest {

    @Test
    void readsLfSeparatedEvents() throws IOException {
        List<SseEvent> events = readAll("data: {\"a\":1}\n\ndata: {\"b\":2}\n\ndata: [DONE]\n\n", 8192);
        assertEquals(List.of("{\"a\":1}", "{\"b\":2}", "[DONE]"), data(events));
        assertTrue(events.get(2).isDone());
    }

    @Test
    void readsCrlfAndCrLineEnds() throws IOException {
        assertEquals(List.of("one", "two", "three"),
                data(readAll("data: one\r\n\r\ndata: two\r\rdata: three\n\r\n", 8192)));
    }

    @Test
    void crlfSplitAcrossReadsIsOneLineEnd() throws IOException {
        assertEquals(List.of("one", "two"), data(readAll("data: one\r\n\r\ndata: two\r\n\r\n", 1)));
    }

    @Test
    void skipsCommentsAndCountsThem() throws IOException {
        SseReader reader = new SseReader(stream(": keep-alive\n\n: ping\ndata: x\n\n", 8192));
        assertEquals("x", reader.next().data());
        assertNull(reader.next());
        assertEquals(2, reader.comments());
    }

    @Test
    void joinsMultiLineData() throws IOException {
        assertEquals(List.of("{\n\"a\":1\n}"), data(readAll("data: {\ndata: \"a\":1\ndata:}\n\n", 8192)));
    }

    @Test
    void keepsEventTypeAndIgnoresUnknownFields() throws IOException {
        List<SseEvent> events = readAll("event: error\nid: 7\nretry: 10\ndata: boom\n\ndata: next\n\n", 8192);
        assertEquals("error", events.get(0).event());
        assertEquals("boom", events.get(0).data());
        assertNull(events.get(1).event());
    }

    @Test
    void dataWithoutSpaceAfterColonAndEmptyData() throws IOException {
        assertEquals(List.of("x", ""), data(readAll("data:x\n\ndata\n\n", 8192)));
    }

    @Test
    void streamWithoutDoneEndsWithNull() throws IOException {
        SseReader reader = new SseReader(stream("data: {\"a\":1}\n\n", 8192));
        assertEquals("{\"a\":1}", reader.next().data());
        assertNull(reader.next());
        assertNull(reader.next());
    }

    @Test
    void lastEventWithoutBlankLineIsDispatchedButACutLineIsNot() throws IOException {
        assertEquals(List.of("whole"), data(readAll("data: whole\n", 8192)));
        assertEquals(List.of("whole"), data(readAll("data: whole\n\ndata: {\"cut", 8192)));
    }

    @Test
    void utf8CharacterSplitAcrossReadsArrivesWhole() throws IOException {
        String text = "data: {\"content\":\"héllo 👋 日本\"}\n\n";
        for (int size = 1; size <= 4; size++) {
            assertEquals(List.of("{\"content\":\"héllo 👋 日本\"}"), data(readAll(text, size)), "buffer " + size);
        }
    }

    @Test
    void trickleOfOneByteReadsStillParses() throws IOException {
        InputStream trickle = new ByteArrayInputStream("data: a\n\ndata: b\n\n".getBytes(StandardCharsets.UTF_8)) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, 1));
            }
        };
        SseReader reader = new SseReader(trickle);
        assertEquals("a", reader.next().data());
        assertEquals("b", reader.next().data());
        assertNull(reader.next());
    }

    @Test
    void longLinesGrowTheLineBuffer() throws IOException {
        String big = "x".repeat(100_000);
        assertEquals(List.of(big), data(readAll("data: " + big + "\n\n", 16)));
    }

    private static List<SseEvent> readAll(String text, int bufferSize) throws IOException {
        SseReader reader = new SseReader(stream(text, bufferSize), bufferSize);
        List<SseEvent> events = new ArrayList<>();
        SseEvent event;
        while ((event = reader.next()) != null) {
            events.add(event);
        }
        return events;
    }

    private static InputStream stream(String text, int bufferSize) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
    }

    private static List<String> data(List<SseEvent> events) {
        return events.stream().map(SseEvent::data).toList();
    }
}
