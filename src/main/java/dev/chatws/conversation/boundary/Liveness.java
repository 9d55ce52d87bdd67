package dev.chatws.conversation.boundary;

/**
 * Whether the client of one socket is still there: when it last sent a frame, and whether it
 * answered the last ping. The heartbeat asks {@link #beat} what to do; the socket acts on it.
 *
 * <p>Thread-safe: the fields are volatile, each written by one kind of thread (the read
 * callbacks, the heartbeat).
 */
final class Liveness {

    /** What one heartbeat does to a socket. */
    enum Verdict {
        /** Nothing: no ping this beat. */
        NOTHING,
        /** Ping it. */
        PING,
        /** It sent nothing for the idle timeout: close it (1008) once its frames are out. */
        IDLE,
        /** It did not answer the last ping: close it (1008) at once. */
        DEAD
    }

    private volatile long heardAt;
    private volatile boolean awaitingPong;

    Liveness(long now) {
        heardAt = now;
    }

    /** The client sent a frame. */
    void heard(long now) {
        heardAt = now;
    }

    /** The client answered a ping. */
    void ponged() {
        awaitingPong = false;
    }

    /**
     * One beat at {@code now}: idle for more than {@code idleNanos} comes first; with
     * {@code ping}, a client still owing a pong is dead, any other is to be pinged (and then owes one).
     */
    Verdict beat(long now, long idleNanos, boolean ping) {
        if (now - heardAt > idleNanos) {
            return Verdict.IDLE;
        }
        if (!ping) {
            return Verdict.NOTHING;
        }
        if (awaitingPong) {
            return Verdict.DEAD;
        }
        awaitingPong = true;
        return Verdict.PING;
    }
}
