package dev.chatws.conversation.boundary;

import dev.chatws.conversation.entity.ChatRequest;
import dev.chatws.conversation.entity.ControlFrame;
import dev.chatws.conversation.entity.InboundFrame;
import dev.chatws.conversation.entity.MalformedFrame;
import dev.chatws.conversation.entity.OversizedFrame;
import dev.chatws.json.JsonText;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.spi.JsonProvider;
import jakarta.json.stream.JsonParser;
import jakarta.websocket.Decoder;
import jakarta.websocket.EndpointConfig;
import java.io.StringReader;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * Decodes a client's text frame: a JSON object with a {@code type} member is a
 * {@link ControlFrame}, one without is a {@link ChatRequest}, anything else (broken JSON, another
 * JSON type, or anything after the object) a {@link MalformedFrame}. Never throws, so bad input is
 * answered with an error frame rather than closing the socket. A frame over
 * {@code chat.max-frame-bytes} is an {@link OversizedFrame}, not parsed (Liberty does not enforce
 * the session's text buffer size, so the limit is checked here).
 *
 * <p>A frame is read as the JSON-P object JSON-B maps {@code JsonObject} to, not bound to a
 * record: the request is forwarded and committed as the client sent it, member order and unknown
 * members included. The parser is JSON-P's own because JSON-B's {@code fromJson} stops after the
 * first value and would accept {@code {"a":1} garbage}.
 *
 * <p>One instance per socket; one shared {@link JsonProvider}, which is thread-safe.
 */
public class FrameDecoder implements Decoder.Text<InboundFrame> {

    private static final JsonProvider JSON = JsonText.PROVIDER;

    private long maxFrameBytes = ChatEndpoint.DEFAULT_MAX_FRAME_BYTES;

    @Override
    public void init(EndpointConfig config) {
        maxFrameBytes = ConfigProvider.getConfig()
                .getOptionalValue("chat.max-frame-bytes", Long.class).orElse(ChatEndpoint.DEFAULT_MAX_FRAME_BYTES);
    }

    @Override
    public InboundFrame decode(String text) {
        if ((long) text.length() * 3 > maxFrameBytes) {
            long bytes = utf8Length(text);
            if (bytes > maxFrameBytes) {
                return new OversizedFrame(bytes);
            }
        }
        JsonObject object;
        try (JsonParser parser = JSON.createParser(new StringReader(text))) {
            if (!parser.hasNext() || parser.next() != JsonParser.Event.START_OBJECT) {
                return new MalformedFrame(describe(text));
            }
            object = parser.getObject();
            if (parser.hasNext()) {
                return new MalformedFrame("there is more after the JSON object.");
            }
        } catch (JsonException e) {
            return new MalformedFrame(describe(text));
        } catch (UnsupportedOperationException e) {
            return new MalformedFrame("it holds a number longer than the parser reads.");
        } catch (RuntimeException e) {
            // JSON-P reports input nested deeper than its limit with a bare RuntimeException.
            return new MalformedFrame("it is nested deeper than the parser allows.");
        }
        return object.containsKey("type") ? new ControlFrame(object) : new ChatRequest(object);
    }

    @Override
    public boolean willDecode(String text) {
        return true;
    }

    /** The UTF-8 length of {@code text}, counted without encoding it. */
    static long utf8Length(String text) {
        long bytes = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }

    private static String describe(String text) {
        String start = text.stripLeading();
        if (start.isEmpty()) {
            return "it is empty.";
        }
        return switch (start.charAt(0)) {
            case '[' -> "it is a JSON array.";
            case '"' -> "it is a JSON string.";
            case '{' -> "it is not valid JSON.";
            case 'n', 't', 'f' -> start.startsWith("null") || start.startsWith("true") || start.startsWith("false")
                    ? "it is a JSON literal." : "it is not valid JSON.";
            default -> Character.isDigit(start.charAt(0)) || start.charAt(0) == '-'
                    ? "it is a JSON number." : "it is not valid JSON.";
        };
    }
}
