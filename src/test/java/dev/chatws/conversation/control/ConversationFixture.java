package dev.chatws.conversation.control;

import dev.chatws.conversation.entity.ChatRequest;
import dev.chatws.conversation.entity.ControlFrame;
import dev.chatws.conversation.entity.ServerFrame;
import dev.chatws.json.JsonText;
import dev.chatws.limits.control.ClientLimits;
import dev.chatws.limits.control.RequestLimits;
import dev.chatws.telemetry.control.ChatTelemetry;
import dev.chatws.upstream.control.Upstream;
import dev.chatws.upstream.control.UpstreamListener;
import jakarta.json.JsonObject;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Delayed;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A {@link Conversation} without a container: every collaborator is a fake the test drives by
 * hand. The upstream records its calls (the test plays the upstream through each call's
 * listener), the store is a map, background work (commits) and timers wait in queues until the
 * test runs them. Single-threaded: whatever the test does not run does not happen.
 */
final class ConversationFixture {

    static final String ID = "conv_AAAAAAAAAAAAAAAAAAAAAA";

    final Deque<Runnable> background = new ArrayDeque<>();
    final List<Timer> timers = new ArrayList<>();
    final List<Call> calls = new ArrayList<>();
    /** Per conversation, the stored message texts in commit order (every branch). */
    final Map<String, List<String>> stored = new HashMap<>();
    final Map<String, List<HistoryStore.Node>> nodes = new HashMap<>();
    final Map<String, Integer> actives = new HashMap<>();
    /** Per conversation: its stored title and settings text. */
    final Map<String, String[]> profiles = new HashMap<>();
    boolean storeFails;
    /** Run as every title and settings update is stored, before it is (a test may block it there). */
    Runnable onDescribe = () -> { };
    /** What the conversation is loaded from, if set before {@link #start()}. */
    HistoryStore.Stored seed;
    /** Every commit's summary (path length, model, usage), by conversation. */
    final Map<String, List<HistoryStore.Summary>> summaries = new HashMap<>();
    final Map<String, dev.chatws.conversation.entity.TokenUsage> usages = new HashMap<>();
    boolean ended;
    /** {@code chat.titles=auto}. */
    boolean autoTitles;
    Duration grace = Duration.ofSeconds(30);
    final Conversation conversation = new Conversation();

    ConversationFixture() {
        conversation.scope = new ChatScope() {
            @Override
            public String currentId() {
                return ID;
            }

            @Override
            Optional<HistoryStore.Stored> stored() {
                return Optional.ofNullable(seed);
            }

            @Override
            Optional<TurnRecord> pending() {
                return Optional.empty();
            }

            @Override
            public void end(String id) {
                ended = true;
            }
        };
        conversation.upstream = (body, streaming, listener) -> {
            Call call = new Call(new String(body, java.nio.charset.StandardCharsets.UTF_8), listener);
            calls.add(call);
            return call;
        };
        conversation.store = new Store();
        conversation.requestLimits = new RequestLimits() {
            @Override
            public Optional<dev.chatws.limits.entity.OverCap> check(JsonObject body) {
                return Optional.empty();
            }
        };
        conversation.clientLimits = new ClientLimits() {
            @Override
            public OptionalLong startTurn(String client) {
                return OptionalLong.empty();
            }

            @Override
            public void spend(String client, JsonObject completion) {
            }
        };
        conversation.telemetry = ChatTelemetry.noop();
        conversation.ledger = TurnLedger.SINGLE;
        conversation.settings = new ConversationSettings() {
            @Override
            String defaultModel() {
                return "test-model";
            }

            @Override
            long maxHistoryTokens() {
                return 0;
            }

            @Override
            Duration grace() {
                return grace;
            }

            @Override
            boolean autoTitles() {
                return autoTitles;
            }

            @Override
            Duration unloadDelay() {
                return Duration.ofMinutes(1);
            }

            @Override
            void background(Runnable task) {
                background.add(task);
            }

            @Override
            ScheduledFuture<?> schedule(Runnable task, Duration delay) {
                Timer timer = new Timer(task, delay);
                timers.add(timer);
                return timer;
            }
        };
    }

    /** Starts the conversation (as CDI would, once its fields are set); the fixture's constructor does not. */
    ConversationFixture start() {
        conversation.init();
        return this;
    }

    /** Runs the background work queued so far (the commits), in order. */
    void runBackground() {
        while (!background.isEmpty()) {
            background.poll().run();
        }
    }

    /** The timers still pending (neither fired nor cancelled). */
    List<Timer> pending() {
        return timers.stream().filter(timer -> !timer.cancelled && !timer.fired).toList();
    }

    /** The last upstream call. */
    Call call() {
        return calls.get(calls.size() - 1);
    }

    static ChatRequest request(String json) {
        return new ChatRequest(JsonText.object(json));
    }

    static ChatRequest ask(String content) {
        return request("{\"messages\":[{\"role\":\"user\",\"content\":\"" + content + "\"}]}");
    }

    static ControlFrame control(String type) {
        return new ControlFrame(JsonText.object("{\"type\":\"" + type + "\"}"));
    }

    static String chunk(String content) {
        return "{\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\""
                + content + "\"},\"finish_reason\":null}]}";
    }

    static String lastChunk() {
        return "{\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}";
    }

    /** One upstream call: its body, its listener (the test plays the upstream), whether it was aborted. */
    static final class Call implements Upstream.Call {
        final String body;
        final UpstreamListener listener;
        boolean aborted;

        Call(String body, UpstreamListener listener) {
            this.body = body;
            this.listener = listener;
        }

        @Override
        public void abort() {
            aborted = true;
        }
    }

    /** The store: a map of messages and active leaves, failing every write while {@link #storeFails}. */
    final class Store implements HistoryStore {
        @Override
        public Optional<Stored> load(String id) {
            List<Node> messages = nodes.get(id);
            if (messages == null && !profiles.containsKey(id)) {
                return Optional.empty();
            }
            String[] profile = profiles.getOrDefault(id, new String[2]);
            return Optional.of(new Stored(1, null, messages == null ? List.of() : List.copyOf(messages), actives.getOrDefault(id, -1), profile[0], profile[1],
                    usages.getOrDefault(id, dev.chatws.conversation.entity.TokenUsage.NONE)));
        }

        @Override
        public Optional<Mark> mark(String id) {
            List<Node> messages = nodes.get(id);
            if (messages == null) {
                return profiles.containsKey(id) ? Optional.of(new Mark(0, -1)) : Optional.empty();
            }
            return Optional.of(new Mark(messages.size(), actives.getOrDefault(id, -1)));
        }

        @Override
        public void append(String id, long created, String owner, List<Node> messages, int active, Summary summary, long now) {
            if (storeFails) {
                throw new StoreException("the database went away", null);
            }
            if (!nodes.containsKey(id) && messages.get(0).seq() != 0) {
                throw new StoreException("the conversation was deleted from the store", null);
            }
            List<Node> held = nodes.computeIfAbsent(id, key -> new ArrayList<>());
            if (held.size() != messages.get(0).seq()) {
                throw new StoreException("seq " + messages.get(0).seq() + " is taken", null);
            }
            held.addAll(messages);
            stored.computeIfAbsent(id, key -> new ArrayList<>()).addAll(messages.stream().map(Node::body).toList());
            actives.put(id, active);
            summaries.computeIfAbsent(id, key -> new ArrayList<>()).add(summary);
            usages.merge(id, summary.usage(), dev.chatws.conversation.entity.TokenUsage::plus);
        }

        @Override
        public void describe(String id, long created, String owner, String title, String settings, long now) {
            if (storeFails) {
                throw new StoreException("the database went away", null);
            }
            onDescribe.run();
            profiles.put(id, new String[] {title, settings});
        }

        @Override
        public void activate(String id, int active, int pathLength, long now) {
            if (storeFails) {
                throw new StoreException("the database went away", null);
            }
            actives.put(id, active);
        }

        @Override
        public boolean delete(String id) {
            nodes.remove(id);
            return stored.remove(id) != null;
        }
    }

    /** A socket: every frame it was given, and whether they went out ({@link #delivered}). */
    static final class Socket implements Peer {
        final List<Object> queued = new ArrayList<>();
        final List<Object> delivered = new ArrayList<>();
        final Rejections rejections = new Rejections(System::nanoTime);
        String closedWith;
        private final String user;

        Socket(String user) {
            this.user = user;
        }

        @Override
        public String client() {
            return user == null ? "address:test" : "user:" + user;
        }

        @Override
        public String user() {
            return user;
        }

        @Override
        public void send(ServerFrame frame) {
            queued.add(frame);
            release();
        }

        @Override
        public void push(ServerFrame frame) {
            queued.add(frame);
        }

        @Override
        public void flush() {
            release();
        }

        @Override
        public void release() {
            delivered.addAll(queued);
            queued.clear();
        }

        @Override
        public Rejections rejections() {
            return rejections;
        }

        @Override
        public void goAway() {
            closedWith = "1001";
        }

        @Override
        public void gone() {
            closedWith = "4404";
        }

        /** Every frame delivered, in order, as {@link ConversationFixture#json} gives them. */
        List<String> frames() {
            return delivered.stream().map(ConversationFixture::json).toList();
        }
    }

    /**
     * A frame as the tests compare it: a relayed frame's JSON as sent, {@code error:CODE},
     * {@code conversation:N} (N messages).
     */
    static String json(Object frame) {
        if (frame instanceof dev.chatws.conversation.entity.RawFrame raw) {
            return raw.json();
        }
        if (frame instanceof dev.chatws.conversation.entity.ErrorFrame error) {
            return "error:" + error.error().code();
        }
        if (frame instanceof dev.chatws.conversation.entity.ConversationFrame snapshot) {
            return "conversation:" + snapshot.messages().size();
        }
        throw new IllegalArgumentException(String.valueOf(frame));
    }

    /** A timer the test fires by hand. */
    static final class Timer implements ScheduledFuture<Object> {
        final Runnable task;
        final Duration delay;
        boolean cancelled;
        boolean fired;

        Timer(Runnable task, Duration delay) {
            this.task = task;
            this.delay = delay;
        }

        void fire() {
            fired = true;
            task.run();
        }

        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(delay);
        }

        @Override
        public int compareTo(Delayed other) {
            return Long.compare(getDelay(TimeUnit.NANOSECONDS), other.getDelay(TimeUnit.NANOSECONDS));
        }

        @Override
        public boolean cancel(boolean interrupt) {
            cancelled = true;
            return true;
        }

        @Override
        public boolean isCancelled() {
            return cancelled;
        }

        @Override
        public boolean isDone() {
            return cancelled || fired;
        }

        @Override
        public Object get() {
            return null;
        }

        @Override
        public Object get(long timeout, TimeUnit unit) {
            return null;
        }
    }
}
