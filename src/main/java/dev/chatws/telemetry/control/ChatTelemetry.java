package dev.chatws.telemetry.control;

import dev.chatws.upstream.control.UpstreamClient;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.LongUpDownCounter;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.metrics.ObservableLongGauge;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.json.JsonArray;
import dev.chatws.json.JsonText;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.ArrayList;
import java.util.List;

/**
 * The server's metrics and traces, through MicroProfile Telemetry (OpenTelemetry). Names follow
 * the OpenTelemetry semantic conventions for generative AI where one exists
 * ({@code gen_ai.client.operation.duration}, {@code gen_ai.client.token.usage}, span
 * {@code chat {model}} with {@code gen_ai.*} attributes); the rest are {@code chat.*}:
 * {@code chat.sockets.open}, {@code chat.conversations.loaded}, {@code chat.turns.started},
 * {@code chat.turns} (ended, by {@code outcome} and {@code reason}), {@code chat.turn.time_to_first_chunk},
 * {@code chat.frames.relayed}, {@code chat.tokens} (by {@code type}: prompt, completion, cached,
 * reasoning), {@code chat.upstream.retries}, {@code chat.upstream.breaker.open}. Spans and metrics
 * carry no message content, no keys, and conversation ids only redacted, as logs show them.
 *
 * <p>MicroProfile Telemetry is off until configured ({@code otel.sdk.disabled=false}); off, every
 * call here is a no-op of the OpenTelemetry API. Application-scoped and thread-safe.
 */
@ApplicationScoped
public class ChatTelemetry {

    private static final AttributeKey<String> OPERATION = AttributeKey.stringKey("gen_ai.operation.name");
    private static final AttributeKey<String> REQUEST_MODEL = AttributeKey.stringKey("gen_ai.request.model");
    private static final AttributeKey<String> RESPONSE_MODEL = AttributeKey.stringKey("gen_ai.response.model");
    private static final AttributeKey<String> TOKEN_TYPE = AttributeKey.stringKey("gen_ai.token.type");
    private static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
    private static final AttributeKey<String> CONVERSATION = AttributeKey.stringKey("gen_ai.conversation.id");
    private static final AttributeKey<List<String>> FINISH_REASONS = AttributeKey.stringArrayKey("gen_ai.response.finish_reasons");
    private static final AttributeKey<Long> INPUT_TOKENS = AttributeKey.longKey("gen_ai.usage.input_tokens");
    private static final AttributeKey<Long> OUTPUT_TOKENS = AttributeKey.longKey("gen_ai.usage.output_tokens");
    private static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("outcome");
    private static final AttributeKey<String> REASON = AttributeKey.stringKey("reason");
    private static final AttributeKey<String> TYPE = AttributeKey.stringKey("type");

    @Inject
    Instance<OpenTelemetry> openTelemetry;

    @Inject
    UpstreamClient upstream;

    private Tracer tracer;
    private LongUpDownCounter sockets;
    private LongUpDownCounter conversations;
    private LongCounter turns;
    private LongCounter turnsStarted;
    private LongCounter frames;
    private LongCounter tokens;
    private io.opentelemetry.api.metrics.ObservableLongCounter retries;
    private DoubleHistogram duration;
    private DoubleHistogram firstChunk;
    private DoubleHistogram tokenUsage;
    private ObservableLongGauge breaker;

    @PostConstruct
    void init() {
        start(openTelemetry.isResolvable() ? openTelemetry.get() : OpenTelemetry.noop());
    }

    /** Telemetry that records nothing (the OpenTelemetry API's no-op), for code run without a container. */
    public static ChatTelemetry noop() {
        ChatTelemetry telemetry = new ChatTelemetry();
        telemetry.start(OpenTelemetry.noop());
        return telemetry;
    }

    private void start(OpenTelemetry otel) {
        tracer = otel.getTracer("chat-ws");
        Meter meter = otel.getMeter("chat-ws");
        sockets = meter.upDownCounterBuilder("chat.sockets.open").setDescription("Open WebSocket connections").setUnit("{socket}").build();
        conversations = meter.upDownCounterBuilder("chat.conversations.loaded")
                .setDescription("Conversations in this server's memory (attached, in a turn, or recently used)").setUnit("{conversation}").build();
        turnsStarted = meter.counterBuilder("chat.turns.started").setDescription("Turns started").setUnit("{turn}").build();
        turns = meter.counterBuilder("chat.turns").setDescription("Turns that ended, by outcome (completed, cancelled, failed) and reason").setUnit("{turn}").build();
        frames = meter.counterBuilder("chat.frames.relayed").setDescription("Upstream events relayed to sockets").setUnit("{frame}").build();
        tokens = meter.counterBuilder("chat.tokens").setDescription("Tokens the upstream reported, by type (prompt, completion, cached, reasoning)").setUnit("{token}").build();
        retries = meter.counterBuilder("chat.upstream.retries").setDescription("Upstream requests sent again after a retryable failure")
                .setUnit("{retry}").buildWithCallback(counter -> counter.record(upstream.retries()));
        duration = meter.histogramBuilder("gen_ai.client.operation.duration").setDescription("GenAI operation duration: a turn, first byte sent to terminal frame").setUnit("s").build();
        firstChunk = meter.histogramBuilder("chat.turn.time_to_first_chunk").setDescription("From a turn's start to its first relayed chunk").setUnit("s").build();
        tokenUsage = meter.histogramBuilder("gen_ai.client.token.usage").setDescription("Tokens used per turn, by gen_ai.token.type (input, output)").setUnit("{token}").build();
        breaker = meter.gaugeBuilder("chat.upstream.breaker.open").ofLongs().setDescription("1 while the upstream circuit breaker is open")
                .buildWithCallback(gauge -> gauge.record(upstream.breakerOpen() ? 1 : 0));
    }

    @PreDestroy
    void close() {
        if (breaker != null) {
            breaker.close();
            retries.close();
        }
    }

    public void socketOpened() {
        sockets.add(1);
    }

    public void socketClosed() {
        sockets.add(-1);
    }

    public void conversationLoaded() {
        conversations.add(1);
    }

    public void conversationUnloaded() {
        conversations.add(-1);
    }

    /** A turn starts: its span (a child of nothing; the upstream call becomes its child) and clock. */
    public TurnTrace turnStarted(String redactedConversationId, String model) {
        Span span = tracer.spanBuilder("chat " + model).setSpanKind(SpanKind.CLIENT)
                .setAttribute(OPERATION, "chat")
                .setAttribute(REQUEST_MODEL, model)
                .setAttribute(CONVERSATION, redactedConversationId)
                .startSpan();
        turnsStarted.add(1, Attributes.of(REQUEST_MODEL, model));
        return new TurnTrace(span, model, System.nanoTime());
    }

    /**
     * One turn's trace and timings. Not thread-safe: used under its conversation's lock, except
     * {@link #makeCurrent()} on the thread that starts the upstream call.
     */
    public final class TurnTrace {
        private final Span span;
        private final String model;
        private final long startNanos;
        private boolean chunkSeen;

        private TurnTrace(Span span, String model, long startNanos) {
            this.span = span;
            this.model = model;
            this.startNanos = startNanos;
        }

        /** Makes the turn's span current, so the upstream HTTP call started meanwhile is its child. */
        public Scope makeCurrent() {
            return span.makeCurrent();
        }

        /** A chunk was relayed. */
        public void relayed() {
            frames.add(1);
            if (!chunkSeen) {
                chunkSeen = true;
                firstChunk.record(seconds(), Attributes.of(REQUEST_MODEL, model));
            }
        }

        /** The turn ended with a {@code chat.completion}: completed or cancelled. */
        public void ended(boolean cancelled, JsonObject completion) {
            String outcome = cancelled ? "cancelled" : "completed";
            turns.add(1, Attributes.of(OUTCOME, outcome, REASON, cancelled ? "cancelled" : "finished"));
            Attributes attributes = Attributes.of(OPERATION, "chat", REQUEST_MODEL, model);
            if (completion.get("model") instanceof JsonString response) {
                attributes = attributes.toBuilder().put(RESPONSE_MODEL, response.getString()).build();
                span.setAttribute(RESPONSE_MODEL, response.getString());
            }
            duration.record(seconds(), attributes);
            span.setAttribute(FINISH_REASONS, finishReasons(completion));
            usage(completion, attributes);
            span.end();
        }

        /** The turn ended with an error frame of {@code code}. */
        public void failed(String code) {
            turns.add(1, Attributes.of(OUTCOME, "failed", REASON, code));
            duration.record(seconds(), Attributes.of(OPERATION, "chat", REQUEST_MODEL, model, ERROR_TYPE, code));
            span.setAttribute(ERROR_TYPE, code);
            span.setStatus(StatusCode.ERROR, code);
            span.end();
        }

        private void usage(JsonObject completion, Attributes attributes) {
            if (!(completion.get("usage") instanceof JsonObject usage)) {
                return;
            }
            long prompt = number(usage, "prompt_tokens");
            long completionTokens = number(usage, "completion_tokens");
            span.setAttribute(INPUT_TOKENS, prompt);
            span.setAttribute(OUTPUT_TOKENS, completionTokens);
            tokenUsage.record(prompt, attributes.toBuilder().put(TOKEN_TYPE, "input").build());
            tokenUsage.record(completionTokens, attributes.toBuilder().put(TOKEN_TYPE, "output").build());
            tokens.add(prompt, Attributes.of(TYPE, "prompt"));
            tokens.add(completionTokens, Attributes.of(TYPE, "completion"));
            if (usage.get("prompt_tokens_details") instanceof JsonObject details) {
                tokens.add(number(details, "cached_tokens"), Attributes.of(TYPE, "cached"));
            }
            if (usage.get("completion_tokens_details") instanceof JsonObject details) {
                tokens.add(number(details, "reasoning_tokens"), Attributes.of(TYPE, "reasoning"));
            }
        }

        private double seconds() {
            return (System.nanoTime() - startNanos) / 1e9;
        }
    }

    private static long number(JsonObject object, String name) {
        return JsonText.count(object.get(name));
    }

    private static List<String> finishReasons(JsonObject completion) {
        List<String> reasons = new ArrayList<>();
        if (completion.get("choices") instanceof JsonArray choices) {
            for (JsonValue choice : choices) {
                if (choice instanceof JsonObject object && object.get("finish_reason") instanceof JsonString reason) {
                    reasons.add(reason.getString());
                }
            }
        }
        return reasons;
    }
}
