package dev.chatws.upstream.control;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads server-sent events from a byte stream as they arrive, per the WHATWG event-stream rules:
 * lines end with LF, CRLF or CR; {@code data:} lines of one event are joined with LF; lines that
 * start with {@code :} are comments and are skipped; a blank line dispatches the event.
 *
 * <p>Lines are cut on bytes and decoded as UTF-8 only once whole, so a character split across
 * two reads arrives intact. At the end of the stream an event whose {@code data:} lines all ended
 * is still dispatched (some servers omit the last blank line); a line cut off by the end is not.
 *
 * <p>One reader per stream, used by one thread.
 */
public final class SseReader {

    private static final byte LF = '\n';
    private static final byte CR = '\r';

    private final InputStream in;
    private final byte[] buffer;
    private int position;
    private int limit;
    private boolean endOfStream;
    private boolean skipLf;

    private byte[] line = new byte[256];
    private int lineLength;

    /** The event's first data line; its later ones, if any, joined in {@link #data}. */
    private String firstData;
    private final StringBuilder data = new StringBuilder();
    private boolean hasData;
    private String eventType;
    private long comments;

    /**
     * A reader of {@code in} with a 2 KiB buffer: the JDK HTTP client hands over at most one of
     * its read buffers per read, 2 KiB as shipped ({@code -Djdk.httpclient.bufsize=2048}), so a
     * larger one would not fill; it lives as long as the turn, so it is kept small.
     */
    public SseReader(InputStream in) {
        this(in, 2048);
    }

    SseReader(InputStream in, int bufferSize) {
        this.in = in;
        this.buffer = new byte[bufferSize];
    }

    /** How many comment lines (such as {@code : keep-alive}) were skipped so far. */
    public long comments() {
        return comments;
    }

    /**
     * Blocks until the next event is complete and returns it, or returns {@code null} at the end
     * of the stream.
     *
     * @throws IOException when reading the stream fails
     */
    public SseEvent next() throws IOException {
        while (readLine()) {
            if (lineLength == 0) {
                if (hasData) {
                    return dispatch();
                }
                eventType = null;
                continue;
            }
            field();
        }
        return hasData ? dispatch() : null;
    }

    private SseEvent dispatch() {
        // Almost every event has one data line: its text as read, not copied once more.
        SseEvent event = new SseEvent(eventType, data.isEmpty() ? firstData : firstData + data);
        firstData = null;
        data.setLength(0);
        hasData = false;
        eventType = null;
        return event;
    }

    private void field() {
        if (line[0] == ':') {
            comments++;
            return;
        }
        int colon = indexOf((byte) ':');
        int nameEnd = colon < 0 ? lineLength : colon;
        int valueStart = colon < 0 ? lineLength : colon + 1;
        if (valueStart < lineLength && line[valueStart] == ' ') {
            valueStart++;
        }
        String value = new String(line, valueStart, lineLength - valueStart, StandardCharsets.UTF_8);
        if (is("data", nameEnd)) {
            if (hasData) {
                data.append('\n').append(value);
            } else {
                firstData = value;
            }
            hasData = true;
        } else if (is("event", nameEnd)) {
            eventType = value;
        }
    }

    private boolean is(String name, int nameEnd) {
        if (nameEnd != name.length()) {
            return false;
        }
        for (int i = 0; i < nameEnd; i++) {
            if (line[i] != name.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private int indexOf(byte b) {
        for (int i = 0; i < lineLength; i++) {
            if (line[i] == b) {
                return i;
            }
        }
        return -1;
    }

    /** Reads one whole line into {@link #line}; false at the end of the stream (a cut line is dropped). */
    private boolean readLine() throws IOException {
        lineLength = 0;
        while (true) {
            if (position == limit && !fill()) {
                return false;
            }
            byte b = buffer[position++];
            if (skipLf) {
                skipLf = false;
                if (b == LF) {
                    continue;
                }
            }
            if (b == LF) {
                return true;
            }
            if (b == CR) {
                skipLf = true;
                return true;
            }
            append(b);
        }
    }

    private void append(byte b) {
        if (lineLength == line.length) {
            line = Arrays.copyOf(line, line.length * 2);
        }
        line[lineLength++] = b;
    }

    private boolean fill() throws IOException {
        if (endOfStream) {
            return false;
        }
        int read;
        do {
            read = in.read(buffer, 0, buffer.length);
        } while (read == 0);
        if (read < 0) {
            endOfStream = true;
            return false;
        }
        position = 0;
        limit = read;
        return true;
    }
}
