package dev.chatws.upstream.control;

import dev.chatws.json.JsonText;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * What an upstream's error answer says, as far as a client may be told: the OpenAI error object's
 * {@code error.code} (else {@code error.type}) when it is a plain identifier, never the body
 * itself (which may echo a key or the prompt). Reads at most 64 KiB.
 *
 * <p>Stateless and thread-safe.
 */
public final class ErrorBody {

    private static final Logger LOG = Logger.getLogger(ErrorBody.class.getName());
    private static final Pattern ERROR_CODE = Pattern.compile("[A-Za-z0-9_.\\-]{1,64}");
    private static final int MAX_ERROR_BODY = 64 * 1024;

    private ErrorBody() {
    }

    /** What an error answer said: its code (null if none to tell), and whether it is a context overflow. */
    record Reading(String code, Optional<ContextOverflow> overflow) {
    }

    /** Reads the error answer {@code in} (closed here) of HTTP {@code status}. */
    static Reading read(int status, InputStream in) {
        try (in) {
            String text = new String(in.readNBytes(MAX_ERROR_BODY), StandardCharsets.UTF_8);
            JsonObject body = JsonText.object(text);
            return new Reading(code(body.get("error")), ContextOverflow.of(status, body));
        } catch (RuntimeException | IOException e) {
            LOG.log(Level.FINE, "Upstream error body was not an OpenAI error object ({0})", e.getClass().getName());
        }
        return new Reading(null, Optional.empty());
    }

    /**
     * The code of an OpenAI error object (an answer's or an error event's {@code error}):
     * {@code code}, else {@code type}, when it is a plain identifier; null if there is none to tell.
     */
    public static String code(JsonValue error) {
        if (error instanceof JsonObject object) {
            for (String member : new String[] {"code", "type"}) {
                if (object.get(member) instanceof JsonString string && ERROR_CODE.matcher(string.getString()).matches()) {
                    return string.getString();
                }
            }
        }
        return null;
    }
}
