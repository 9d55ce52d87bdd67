package dev.chatws.json;

import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import jakarta.json.spi.JsonProvider;
import jakarta.json.stream.JsonParser;
import java.io.StringReader;
import java.math.BigDecimal;

/**
 * Reading JSON that comes from outside (client frames, upstream events and bodies, the store)
 * without letting hostile input escape as an exception: JSON-P's parser reports input nested
 * deeper than its limit with a bare {@link RuntimeException}, and a number such as
 * {@code 1e1000000000} or one with thousands of digits fails (or takes seconds) when read as a
 * Java primitive. Every such read goes through here.
 *
 * <p>Stateless and thread-safe; {@link #PROVIDER} is the application's one JSON-P provider.
 */
public final class JsonText {

    /** The one JSON-P provider (thread-safe, and expensive to look up). */
    public static final JsonProvider PROVIDER = JsonProvider.provider();

    private static final BigDecimal LONG_MAX = BigDecimal.valueOf(Long.MAX_VALUE);

    private JsonText() {
    }

    /** {@code text} is not one JSON object within the parser's limits (its message says why, never the text). */
    public static final class Unreadable extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Unreadable(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * {@code text} as a JSON object.
     *
     * @throws Unreadable if it is not one (broken, another JSON type, nested too deep)
     */
    public static JsonObject object(String text) {
        try (var reader = PROVIDER.createReader(new StringReader(text))) {
            return reader.readObject();
        } catch (RuntimeException e) {
            throw new Unreadable(e.getClass().getSimpleName());
        }
    }

    /**
     * {@code text} as a JSON object, the same as {@link #object} would read (the same parser, limits
     * and failures), but every object in it a {@link CompactObject}: for what is read many times a
     * second and kept little, such as an upstream stream's events.
     *
     * @throws Unreadable if it is not one (broken, another JSON type, nested too deep)
     */
    public static JsonObject streamedObject(String text) {
        try (JsonParser parser = PROVIDER.createParser(new StringReader(text))) {
            if (parser.next() != JsonParser.Event.START_OBJECT) {
                throw new Unreadable("NotAnObject");
            }
            return readObject(parser);
        } catch (Unreadable e) {
            throw e;
        } catch (RuntimeException e) {
            throw new Unreadable(e.getClass().getSimpleName());
        }
    }

    /** The object whose START_OBJECT {@code parser} has just read, up to its END_OBJECT. */
    private static CompactObject readObject(JsonParser parser) {
        CompactObject.Builder members = new CompactObject.Builder();
        while (parser.next() == JsonParser.Event.KEY_NAME) {
            String name = parser.getString();
            members.put(name, readValue(parser, parser.next()));
        }
        return members.build();
    }

    /** The value whose first event {@code parser} has just read as {@code event}; objects compact, arrays and scalars JSON-P's. */
    private static JsonValue readValue(JsonParser parser, JsonParser.Event event) {
        return switch (event) {
            case START_OBJECT -> readObject(parser);
            case START_ARRAY -> {
                var items = PROVIDER.createArrayBuilder();
                for (var next = parser.next(); next != JsonParser.Event.END_ARRAY; next = parser.next()) {
                    items.add(readValue(parser, next));
                }
                yield items.build();
            }
            default -> parser.getValue();
        };
    }

    /** Whether {@code text} is one complete JSON value of any type within the parser's limits. */
    public static boolean isValue(String text) {
        try (var reader = PROVIDER.createReader(new StringReader(text))) {
            reader.readValue();
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /**
     * A count such as a token total: {@code value} as a whole number from 0 to {@link Long#MAX_VALUE},
     * larger ones clamped to it; 0 for anything else (negative, fractional, not a number, too long to read).
     */
    public static long count(JsonValue value) {
        BigDecimal number = decimal(value);
        if (number == null || number.signum() <= 0) {
            return 0;
        }
        return number.compareTo(LONG_MAX) >= 0 ? Long.MAX_VALUE : number.longValue();
    }

    /** An index such as a choice's: {@code value} if it is a whole number that fits an int, else {@code fallback}. */
    public static int index(JsonValue value, int fallback) {
        BigDecimal number = decimal(value);
        if (number == null) {
            return fallback;
        }
        try {
            return number.intValueExact();
        } catch (ArithmeticException e) {
            return fallback;
        }
    }

    /** Whether {@code value} is a whole number from 0 to {@code max} (judged by its value, never converted first). */
    public static boolean wholeAtMost(JsonValue value, long max) {
        BigDecimal number = decimal(value);
        return number != null && number.signum() >= 0 && number.compareTo(BigDecimal.valueOf(max)) <= 0
                && number.stripTrailingZeros().scale() <= 0;
    }

    /** Whether {@code value} is a number equal to zero (false for one too long to read). */
    public static boolean isZero(JsonValue value) {
        BigDecimal number = decimal(value);
        return number != null && number.signum() == 0;
    }

    /**
     * {@code json} (text JSON-P or JSON-B wrote) with every lone UTF-16 surrogate written as its
     * {@code \\uXXXX} escape: the writers pass one through as a raw char, which UTF-8 cannot
     * carry (it would reach the client or the upstream as {@code ?}), while JSON's escape keeps it
     * exactly. Such a char can only stand inside a string. Returns {@code json} itself when it has
     * none, which is almost always; one pass over the chars.
     */
    public static String wellFormed(String json) {
        int length = json.length();
        for (int i = 0; i < length; i++) {
            char c = json.charAt(i);
            if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i + 1 < length && Character.isLowSurrogate(json.charAt(i + 1))) {
                    i++;
                } else {
                    return escapeLoneSurrogates(json, i);
                }
            }
        }
        return json;
    }

    private static String escapeLoneSurrogates(String json, int first) {
        StringBuilder out = new StringBuilder(json.length() + 16).append(json, 0, first);
        for (int i = first; i < json.length(); i++) {
            char c = json.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < json.length() && Character.isLowSurrogate(json.charAt(i + 1))) {
                out.append(c).append(json.charAt(++i));
            } else if (Character.isSurrogate(c)) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** The number's value; null if it is no number or one the provider refuses to read (too long). */
    private static BigDecimal decimal(JsonValue value) {
        if (!(value instanceof JsonNumber number)) {
            return null;
        }
        try {
            return number.bigDecimalValue();
        } catch (RuntimeException e) {
            return null;
        }
    }
}
