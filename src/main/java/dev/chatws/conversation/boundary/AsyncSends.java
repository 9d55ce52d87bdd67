package dev.chatws.conversation.boundary;

import jakarta.websocket.SendHandler;
import jakarta.websocket.SendResult;
import jakarta.websocket.Session;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The asynchronous send loop of one socket: sends the frames {@code next} hands out, one at a
 * time, each started when the previous one completed. A send that completes on the calling thread
 * continues the loop there instead of recursing, so a long backlog never grows the stack; one
 * that completes later continues it on the completing thread. A ping goes out in its turn.
 *
 * <p>Run only by the thread that holds its socket's right to send ({@link SendQueue}).
 */
final class AsyncSends {

    private static final ByteBuffer PING_DATA = ByteBuffer.allocate(0);

    private final Session session;
    private final Object ping;
    private final Supplier<Object> next;
    private final Consumer<String> failed;

    /** A loop over {@code session} sending what {@code next} gives until it gives null; {@code ping} is the queue's ping; {@code failed} hears of a failed send. */
    AsyncSends(Session session, Object ping, Supplier<Object> next, Consumer<String> failed) {
        this.session = session;
        this.ping = ping;
        this.next = next;
        this.failed = failed;
    }

    /** Sends until nothing is left or a send is still in flight (its completion goes on). */
    void run() {
        while (true) {
            Object frame = next.get();
            if (frame == null) {
                return;
            }
            if (frame == ping) {
                try {
                    session.getAsyncRemote().sendPing(PING_DATA.duplicate());
                } catch (IOException | RuntimeException e) {
                    failed.accept(e.getClass().getName());
                    return;
                }
                continue;
            }
            Completion completion = new Completion();
            try {
                session.getAsyncRemote().sendObject(frame, completion);
            } catch (RuntimeException e) {
                failed.accept(e.getClass().getName());
                return;
            }
            if (!completion.returned()) {
                return;
            }
        }
    }

    /**
     * The end of one send. Whichever comes second, the send's completion or the return from
     * {@code sendObject}, continues the loop: on the completing thread, or in {@link #run()}.
     */
    private final class Completion implements SendHandler {
        private final AtomicInteger arrivals = new AtomicInteger();

        @Override
        public void onResult(SendResult result) {
            if (!result.isOK()) {
                failed.accept(String.valueOf(result.getException()));
                return;
            }
            if (arrivals.incrementAndGet() == 2) {
                run();
            }
        }

        /** Called once {@code sendObject} returned; true if the send had already completed. */
        boolean returned() {
            return arrivals.incrementAndGet() == 2;
        }
    }
}
