package dev.chatws.upstream.control;

import java.util.Optional;

/**
 * The completion API as a conversation sees it: start one call, and abort it. Implemented by
 * {@link UpstreamClient}; a conversation's unit tests give a fake.
 */
public interface Upstream {

    /**
     * Starts a chat completion call and returns at once; {@code listener} is told of every event
     * on a thread of the upstream's (never the caller's).
     *
     * @param body      the request body, UTF-8 JSON
     * @param streaming whether the body asks for a stream
     * @throws CircuitOpenException while the upstream keeps failing
     * @throws AtCapacityException  when as many calls run as the server allows
     */
    Call start(byte[] body, boolean streaming, UpstreamListener listener);

    /**
     * Starts a call the server makes on its own behalf (a conversation's title) only if it takes
     * no turn's place; empty (nothing started) if it would, or if the circuit breaker is open.
     * This default takes any free place.
     */
    default Optional<Call> startSpare(byte[] body, UpstreamListener listener) {
        try {
            return Optional.of(start(body, false, listener));
        } catch (AtCapacityException | CircuitOpenException e) {
            return Optional.empty();
        }
    }

    /** One call in flight. */
    interface Call {
        /** Stops the call, whatever phase it is in; its listener hears nothing more. Idempotent. */
        void abort();
    }

    /** Thrown by {@link #start} while the circuit breaker is open: the upstream keeps failing. */
    final class CircuitOpenException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public CircuitOpenException() {
            super("the upstream circuit breaker is open", null, false, false);
        }
    }

    /**
     * Thrown by {@link #start} when {@code chat.upstream.max-concurrent} calls are already running:
     * the turn is refused rather than queued without bound.
     */
    final class AtCapacityException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public AtCapacityException() {
            super("chat.upstream.max-concurrent calls are running", null, false, false);
        }
    }
}
