package dev.chatws.upstream.control;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapPropagator;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The span of one upstream HTTP call (OpenTelemetry's HTTP client conventions: {@code POST}, kind
 * CLIENT, {@code http.request.method}, {@code url.full}, {@code server.address},
 * {@code server.port}, {@code http.response.status_code}, {@code error.type}), a child of the
 * turn's span, with the trace context sent upstream in the W3C {@code traceparent} header.
 *
 * <p>Immutable and thread-safe; one per application. A span is used by the one call it belongs to.
 */
final class UpstreamTracing {

    private static final AttributeKey<String> METHOD = AttributeKey.stringKey("http.request.method");
    private static final AttributeKey<String> URL = AttributeKey.stringKey("url.full");
    private static final AttributeKey<String> ADDRESS = AttributeKey.stringKey("server.address");
    private static final AttributeKey<Long> PORT = AttributeKey.longKey("server.port");
    private static final AttributeKey<Long> STATUS = AttributeKey.longKey("http.response.status_code");
    private static final AttributeKey<String> ERROR = AttributeKey.stringKey("error.type");

    private final Tracer tracer;
    private final TextMapPropagator propagator;
    private final URI uri;

    UpstreamTracing(OpenTelemetry otel, URI uri) {
        this.tracer = otel.getTracer("chat-ws");
        this.propagator = otel.getPropagators().getTextMapPropagator();
        this.uri = uri;
    }

    /** Starts the span of one HTTP request, under the current context (the turn's span). */
    Call start() {
        int port = uri.getPort() != -1 ? uri.getPort() : "https".equals(uri.getScheme()) ? 443 : 80;
        Span span = tracer.spanBuilder("POST").setSpanKind(SpanKind.CLIENT)
                .setAttribute(METHOD, "POST")
                .setAttribute(URL, uri.toString())
                .setAttribute(ADDRESS, uri.getHost())
                .setAttribute(PORT, (long) port)
                .startSpan();
        Map<String, String> headers = new LinkedHashMap<>(2);
        propagator.inject(Context.current().with(span), headers, (carrier, key, value) -> carrier.put(key, value));
        return new Call(span, Map.copyOf(headers));
    }

    /** One request's span and the headers that carry its context upstream. */
    record Call(Span span, Map<String, String> headers) {

        /** The upstream answered with {@code status}; the span ends (an error status marks it failed). */
        void answered(int status) {
            span.setAttribute(STATUS, (long) status);
            if (status >= 400) {
                span.setAttribute(ERROR, Integer.toString(status));
                span.setStatus(StatusCode.ERROR);
            }
            span.end();
        }

        /** No answer came ({@code type}: the exception's simple name, or {@code aborted}); the span ends. */
        void failed(String type) {
            span.setAttribute(ERROR, type);
            span.setStatus(StatusCode.ERROR);
            span.end();
        }
    }
}
