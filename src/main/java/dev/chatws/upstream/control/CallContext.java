package dev.chatws.upstream.control;

import dev.chatws.upstream.boundary.ChatCompletionsApi;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.LongAdder;

/**
 * What every {@link UpstreamCall} of the application shares: the API, its tracing, where closing
 * happens, and the policies that bound a call (watchdog, retries and their count, circuit breaker).
 * Built once by {@link UpstreamClient}; immutable, its parts thread-safe.
 */
record CallContext(ChatCompletionsApi api, UpstreamTracing tracing, Executor closer, Watchdog watchdog, RetryPolicy retries,
        LongAdder retried, CircuitBreaker breaker) {
}
