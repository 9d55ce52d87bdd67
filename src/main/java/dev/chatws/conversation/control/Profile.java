package dev.chatws.conversation.control;

import dev.chatws.conversation.entity.ConversationFrame;
import dev.chatws.conversation.entity.ErrorCode;
import dev.chatws.conversation.entity.ErrorFrame;
import dev.chatws.json.JsonText;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A conversation's title and settings (PROTOCOL §10): {@code system}, a system message sent first
 * on every turn but not part of the history; {@code model}, the conversation's default model;
 * {@code params}, chat request members applied to every turn unless the request sets the same.
 * {@link #update} applies a {@code conversation.update} frame: all of it, or, if any member is
 * invalid, nothing.
 *
 * @param title    at most 200 characters; null: none
 * @param settings always {@code system}, {@code model} and {@code params}
 */
public record Profile(String title, JsonObject settings) {

    /** No title, no settings. */
    public static final Profile NONE = new Profile(null, ConversationFrame.NO_SETTINGS);

    private static final int MAX_TITLE = 200;
    private static final Set<String> MEMBERS = Set.of("system", "model", "params");

    /** A profile as stored: {@code title}, and {@code settings} as JSON text (null: none). */
    static Profile of(String title, String settings) {
        return new Profile(title, settings == null ? ConversationFrame.NO_SETTINGS : JsonText.object(settings));
    }

    /** This profile with {@code frame}'s {@code title} and {@code settings} applied; or the error that refuses all of it. */
    Result update(JsonObject frame) {
        String newTitle = title;
        if (frame.containsKey("title")) {
            JsonValue value = frame.get("title");
            if (value.getValueType() == JsonValue.ValueType.NULL) {
                newTitle = null;
            } else if (value instanceof JsonString text && text.getString().codePointCount(0, text.getString().length()) <= MAX_TITLE) {
                newTitle = text.getString();
            } else {
                return Result.refused(ErrorFrame.about(ErrorCode.INVALID_REQUEST, "title", "title is a string of at most 200 characters, or null."));
            }
        }
        JsonObject newSettings = settings;
        if (frame.containsKey("settings")) {
            JsonValue value = frame.get("settings");
            if (value.getValueType() == JsonValue.ValueType.NULL) {
                newSettings = ConversationFrame.NO_SETTINGS;
            } else if (value instanceof JsonObject given) {
                JsonObjectBuilder merged = JsonText.PROVIDER.createObjectBuilder(settings);
                for (Map.Entry<String, JsonValue> member : given.entrySet()) {
                    Optional<ErrorFrame> invalid = check(member.getKey(), member.getValue());
                    if (invalid.isPresent()) {
                        return Result.refused(invalid.get());
                    }
                    boolean cleared = member.getValue().getValueType() == JsonValue.ValueType.NULL;
                    merged.add(member.getKey(), cleared ? ConversationFrame.NO_SETTINGS.get(member.getKey()) : member.getValue());
                }
                newSettings = merged.build();
            } else {
                return Result.refused(ErrorFrame.about(ErrorCode.INVALID_REQUEST, "settings", "settings is an object, or null."));
            }
        }
        return new Result(new Profile(newTitle, newSettings), null);
    }

    private static Optional<ErrorFrame> check(String name, JsonValue value) {
        String param = "settings." + name;
        if (!MEMBERS.contains(name)) {
            return Optional.of(ErrorFrame.about(ErrorCode.INVALID_REQUEST, param, "Unknown setting; the settings are system, model and params."));
        }
        boolean cleared = value.getValueType() == JsonValue.ValueType.NULL;
        boolean fits = "params".equals(name) ? value instanceof JsonObject params && !params.containsKey("messages") : value instanceof JsonString;
        return cleared || fits ? Optional.empty()
                : Optional.of(ErrorFrame.about(ErrorCode.INVALID_REQUEST, param, "params".equals(name)
                        ? "params is an object of chat request members (not messages), or null." : name + " is a string, or null."));
    }

    /** The system message sent first on every turn, if one is set. */
    Optional<JsonObject> system() {
        return settings.get("system") instanceof JsonString text
                ? Optional.of(JsonText.PROVIDER.createObjectBuilder().add("role", "system").add("content", text).build()) : Optional.empty();
    }

    /** A turn's request with this conversation's {@code model} and {@code params} under its own members. */
    JsonObject under(JsonObject request) {
        JsonObjectBuilder merged = JsonText.PROVIDER.createObjectBuilder();
        if (settings.get("params") instanceof JsonObject params) {
            params.forEach(merged::add);
        }
        if (settings.get("model") instanceof JsonString model) {
            merged.add("model", model);
        }
        request.forEach(merged::add);
        return merged.build();
    }

    /** The settings as stored: JSON text, or null when nothing is set. */
    String settingsText() {
        return settings.equals(ConversationFrame.NO_SETTINGS) ? null : JsonText.wellFormed(settings.toString());
    }

    /** What an update came to: the new profile, or the error that refused it. */
    record Result(Profile profile, ErrorFrame refusal) {
        static Result refused(ErrorFrame refusal) {
            return new Result(null, refusal);
        }
    }
}
