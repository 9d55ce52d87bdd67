package dev.chatws.limits.control;

import dev.chatws.limits.entity.OverCap;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import dev.chatws.json.JsonText;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The server's caps on one chat request, beyond the protocol's rules: at most
 * {@code chat.limits.max-messages} new messages per turn, {@code max_tokens} and
 * {@code max_completion_tokens} at most {@code chat.limits.max-tokens} (0: no cap), and a
 * {@code model} from {@code chat.limits.models} (unset: any). A request over one gets
 * {@code invalid_request} naming the member.
 *
 * <p>Application-scoped; immutable after start-up, thread-safe.
 */
@ApplicationScoped
public class RequestLimits {

    @Inject
    @ConfigProperty(name = "chat.limits.max-messages", defaultValue = "256")
    int maxMessages;

    @Inject
    @ConfigProperty(name = "chat.limits.max-tokens", defaultValue = "0")
    long maxTokens;

    private Set<String> models;

    /** Reads {@code chat.limits.models} from the configuration (not injected: Payara cannot inject {@code Optional<List<String>>}). */
    @PostConstruct
    void init() {
        models = ConfigProvider.getConfig().getOptionalValues("chat.limits.models", String.class).orElse(List.of()).stream()
                .map(String::strip).filter(model -> !model.isEmpty())
                .collect(Collectors.toUnmodifiableSet());
    }

    /** The first cap {@code body} (a request that passed the protocol's rules) goes over; empty if none. */
    public Optional<OverCap> check(JsonObject body) {
        return check(body, maxMessages, maxTokens, models);
    }

    /** {@link #check(JsonObject)} with the caps given; {@code models} empty: any model. */
    static Optional<OverCap> check(JsonObject body, int maxMessages, long maxTokens, Set<String> models) {
        int messages = body.getJsonArray("messages").size();
        if (messages > maxMessages) {
            return invalid("messages", "A turn may send at most " + maxMessages + " messages; this one has " + messages + ".");
        }
        for (String member : List.of("max_tokens", "max_completion_tokens")) {
            JsonValue value = body.get(member);
            if (maxTokens > 0 && value != null && value.getValueType() != JsonValue.ValueType.NULL
                    && !JsonText.wholeAtMost(value, maxTokens)) {
                return invalid(member, member + " must be a whole number of at most " + maxTokens + " on this server.");
            }
        }
        if (!models.isEmpty() && body.get("model") instanceof JsonString model && !models.contains(model.getString())) {
            return invalid("model", "This server does not offer that model; it offers " + String.join(", ", models.stream().sorted().toList()) + ".");
        }
        return Optional.empty();
    }

    private static Optional<OverCap> invalid(String param, String message) {
        return Optional.of(new OverCap(param, message));
    }
}
