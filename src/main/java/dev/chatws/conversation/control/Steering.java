package dev.chatws.conversation.control;

import dev.chatws.conversation.entity.ChatRequest;
import dev.chatws.conversation.entity.ControlFrame;
import dev.chatws.conversation.entity.ErrorCode;
import dev.chatws.conversation.entity.ErrorFrame;
import dev.chatws.conversation.entity.ServerFrame;
import dev.chatws.json.JsonText;
import dev.chatws.limits.control.RequestLimits;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.logging.Logger;

/**
 * The frames that steer a conversation (PROTOCOL §9): {@code response.regenerate} runs the last
 * turn again as a sibling of its answer, {@code message.edit} forks a new branch just before a
 * user message, {@code branch.switch} makes another branch active. Each answers with one error
 * frame ({@code turn_in_progress}, {@code invalid_request} naming the member) and changes nothing,
 * or takes effect: the first two as a turn ({@link Turns}), the switch as a store write on a
 * background thread, after which every attached socket gets the {@code conversation} frame.
 *
 * <p>One per {@link Conversation}; called on WebSocket callback threads, under the conversation's
 * lock for what it decides; no store call under it.
 */
final class Steering {

    private static final Logger LOG = Logger.getLogger(Steering.class.getName());

    private final ConversationState state;
    private final Turns turns;
    private final HistoryStore store;
    private final RequestLimits requestLimits;
    private final ConversationSettings settings;

    Steering(ConversationState state, Turns turns, HistoryStore store, RequestLimits requestLimits, ConversationSettings settings) {
        this.state = state;
        this.turns = turns;
        this.store = store;
        this.requestLimits = requestLimits;
        this.settings = settings;
    }

    /** Answers {@code frame} if it is a steering frame; false if it is not one. */
    boolean handle(Peer from, ControlFrame frame) {
        switch (String.valueOf(frame.type())) {
            case ControlFrame.REGENERATE -> regenerate(from, frame);
            case ControlFrame.EDIT -> edit(from, frame);
            case ControlFrame.SWITCH -> switchTo(from, frame);
            case ControlFrame.UPDATE -> update(from, frame);
            default -> {
                return false;
            }
        }
        return true;
    }

    /** {@code response.regenerate}: the last turn's own new messages again, with the frame's members over the stored request's. */
    void regenerate(Peer from, ControlFrame frame) {
        Peer[] targets;
        synchronized (state.lock) {
            if (busy(from)) {
                return;
            }
            if (frame.body().containsKey("messages")) {
                reject(from, ErrorFrame.about(ErrorCode.INVALID_REQUEST, "messages",
                        "response.regenerate sends the last turn's own messages again; to send others, use message.edit."));
                return;
            }
            List<History.Node> path = state.history.path();
            int end = path.size();
            if (end > 0 && "assistant".equals(path.get(end - 1).role())) {
                end--;
            }
            int start = end;
            while (start > 0 && !"assistant".equals(path.get(start - 1).role())) {
                start--;
            }
            if (start == end) {
                reject(from, ErrorFrame.about(ErrorCode.INVALID_REQUEST, null, "There is no turn to regenerate."));
                return;
            }
            List<JsonObject> added = path.subList(start, end).stream().map(History.Node::message).toList();
            History.Node last = path.get(end - 1);
            JsonObjectBuilder request = JsonText.PROVIDER.createObjectBuilder(last.request() == null ? JsonText.object("{}") : JsonText.object(last.request()));
            frame.body().forEach((name, value) -> {
                if (!"type".equals(name)) {
                    request.add(name, value);
                }
            });
            JsonArrayBuilder messages = JsonText.PROVIDER.createArrayBuilder();
            added.forEach(messages::add);
            JsonObject body = request.add("messages", messages).build();
            if (invalid(from, body)) {
                return;
            }
            turns.begin(from, new Turn.Plan(Turn.Kind.REGENERATE, path.subList(0, start), last.seq()), added, body);
            targets = state.audience.targets();
        }
        Audience.deliver(targets, false);
    }

    /** {@code message.edit}: a new branch just before the user message {@code message_id}, with the frame's {@code messages}. */
    void edit(Peer from, ControlFrame frame) {
        Peer[] targets;
        synchronized (state.lock) {
            if (busy(from)) {
                return;
            }
            Optional<History.Node> edited = node(frame).filter(node -> "user".equals(node.role()));
            int at = edited.map(node -> state.history.onPath(node.seq())).orElse(-1);
            if (at < 0) {
                reject(from, ErrorFrame.about(ErrorCode.INVALID_REQUEST, "message_id", "message_id names no user message on the active path."));
                return;
            }
            JsonObjectBuilder request = JsonText.PROVIDER.createObjectBuilder(frame.body());
            request.remove("type");
            request.remove("message_id");
            JsonObject body = request.build();
            if (invalid(from, body)) {
                return;
            }
            List<History.Node> path = state.history.path();
            List<JsonObject> added = body.getJsonArray("messages").stream().map(message -> message.asJsonObject()).toList();
            turns.begin(from, new Turn.Plan(Turn.Kind.EDIT, path.subList(0, at), at == 0 ? -1 : path.get(at - 1).seq()), added, body);
            targets = state.audience.targets();
        }
        Audience.deliver(targets, false);
    }

    /** {@code branch.switch}: the branch holding {@code message_id} becomes active, down to its latest leaf; stored off this thread. */
    void switchTo(Peer from, ControlFrame frame) {
        int leaf;
        int length;
        synchronized (state.lock) {
            if (busy(from)) {
                return;
            }
            Optional<History.Node> chosen = node(frame);
            if (chosen.isEmpty()) {
                reject(from, ErrorFrame.about(ErrorCode.INVALID_REQUEST, "message_id", "message_id names no message of this conversation."));
                return;
            }
            leaf = state.history.latestLeafUnder(chosen.get().seq());
            length = state.history.depth(leaf);
            state.steering = true;
        }
        Runnable write = () -> switched(from, leaf, length);
        try {
            settings.background(write);
        } catch (RejectedExecutionException e) {
            synchronized (state.lock) {
                state.steering = false;
            }
        }
    }

    /** Stores the switch (no lock held), then makes it so and tells every socket; if the store failed, the requester alone hears it. */
    private void switched(Peer from, int leaf, int length) {
        StoreException failure = null;
        if (state.stored) {
            try {
                store.activate(state.id, leaf, length, Instant.now().toEpochMilli());
            } catch (StoreException e) {
                failure = e;
            }
        }
        Peer[] targets;
        synchronized (state.lock) {
            state.steering = false;
            if (failure == null) {
                state.history.activate(leaf);
                state.audience.broadcast(state.snapshot());
            } else {
                String why = failure.getMessage();
                LOG.warning(() -> ChatScope.redact(state.id) + ": a branch switch was not stored. " + why);
                from.push(ErrorFrame.of(ErrorCode.INTERNAL_ERROR, "The conversation could not be saved, so the branch did not change; try again."));
            }
            targets = state.audience.targets();
        }
        Audience.deliver(targets, true);
        if (failure != null) {
            from.flush();
        }
    }

    /**
     * {@code conversation.update} (§10) from a socket: {@link #update(JsonObject, boolean)} off this thread;
     * every socket gets the conversation frame, or the requester alone the error.
     * Allowed while a turn is in flight: it applies from the next turn.
     */
    void update(Peer from, ControlFrame frame) {
        try {
            settings.background(() -> {
                ServerFrame answer = update(frame.body(), false);
                if (answer instanceof ErrorFrame error) {
                    reject(from, error);
                }
            });
        } catch (RejectedExecutionException e) {
            reject(from, ErrorFrame.of(ErrorCode.INTERNAL_ERROR, "The server is stopping; the conversation was not changed."));
        }
    }

    /**
     * Applies an update's {@code title} and {@code settings}: all of them, or, if a member is
     * invalid, nothing; stores them (blocking, no conversation lock held; updates of one
     * conversation take turns, so none is lost), then tells every socket. Answers the conversation
     * frame, or the error frame that refused it or says the store failed; with
     * {@code untitledOnly}, null and nothing done if the conversation has a title by then.
     */
    ServerFrame update(JsonObject body, boolean untitledOnly) {
        synchronized (state.updates) {
            Profile.Result result;
            synchronized (state.lock) {
                if (untitledOnly && (state.profile.title() != null || state.unloaded)) {
                    return null;
                }
                result = state.profile.update(body);
            }
            if (result.refusal() != null) {
                return result.refusal();
            }
            Profile profile = result.profile();
            if (!state.erased) {
                try {
                    store.describe(state.id, state.created, state.owner, profile.title(), profile.settingsText(), Instant.now().toEpochMilli());
                } catch (StoreException e) {
                    LOG.warning(() -> ChatScope.redact(state.id) + ": an update was not stored. " + e.getMessage());
                    return ErrorFrame.of(ErrorCode.INTERNAL_ERROR, "The conversation could not be saved, so it did not change; try again.");
                }
            }
            ServerFrame answer;
            Peer[] targets;
            synchronized (state.lock) {
                state.profile = profile;
                state.stored = true;
                answer = state.snapshot();
                state.audience.broadcast(answer);
                targets = state.audience.targets();
            }
            Audience.deliver(targets, true);
            return answer;
        }
    }

    private Optional<History.Node> node(ControlFrame frame) {
        return frame.body().get("message_id") instanceof JsonString id ? state.history.find(id.getString()) : Optional.empty();
    }

    /** A turn or a switch is in flight: {@code turn_in_progress}, and true. */
    private boolean busy(Peer from) {
        if (!state.busy()) {
            return false;
        }
        reject(from, ErrorFrame.of(ErrorCode.TURN_IN_PROGRESS, "A turn of this conversation is in progress; send response.cancel or wait for its end."));
        return true;
    }

    /** Whether {@code body} breaks the rules of a chat request (§3.3) or a cap of this server; if so, the requester hears which. */
    private boolean invalid(Peer from, JsonObject body) {
        Optional<ErrorFrame> error = RequestValidator.check(new ChatRequest(body)).or(() -> requestLimits.check(body)
                .map(over -> ErrorFrame.about(ErrorCode.INVALID_REQUEST, over.param(), over.message())));
        error.ifPresent(refusal -> reject(from, refusal));
        return error.isPresent();
    }

    private void reject(Peer from, ErrorFrame error) {
        Rejections.reply(LOG, state.id, from, error);
    }
}
