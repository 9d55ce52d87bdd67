package dev.chatws.conversation.boundary;

import dev.chatws.conversation.control.Peer;
import dev.chatws.conversation.control.Rejections;
import dev.chatws.conversation.entity.RawFrame;
import dev.chatws.conversation.entity.ServerFrame;
import jakarta.websocket.CloseReason;
import jakarta.websocket.EncodeException;
import jakarta.websocket.SendHandler;
import jakarta.websocket.SendResult;
import jakarta.websocket.Session;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The one writer of a socket: frames are queued and sent one at a time, each send started when the
 * previous one completed. (On Liberty, starting a send before the previous one completed silently
 * drops frames.) Two ways to send, never at once:
 * <ul>
 * <li>{@link #send(ServerFrame)}, from any thread (WebSocket callbacks, timers): through the
 * asynchronous remote endpoint; a send that completes on the calling thread continues the loop
 * there instead of recursing, so a long backlog never grows the stack.
 * <li>{@link #push(ServerFrame)} then {@link #flush()}, from the thread that reads the upstream:
 * if no send is in progress, the frames are written with the blocking remote endpoint on that
 * thread, with no hand-off per chunk (Liberty queues every asynchronous write to another thread);
 * otherwise the send in progress takes them. {@link #push(ServerFrame)} then {@link #release()}
 * is {@link #send(ServerFrame)} in two steps, for frames queued under a lock.
 * </ul>
 *
 * <p>A client that does not read is cut off either way: when the frames queued for it pass
 * {@code maxBacklogBytes}, or when one blocking write has not finished after the write timeout
 * ({@link #checkWrite(long, long)}), the queue is dropped, the writer stops, and its owner is told
 * (it closes the socket with 1008); other sockets are not held up and the server's memory stays
 * bounded.
 *
 * <p>Thread-safe: any thread may {@link #send(ServerFrame)}, which never blocks on the network.
 */
final class SessionWriter implements Peer {

    private final Rejections rejections = new Rejections(System::nanoTime);

    private static final Logger LOG = Logger.getLogger(SessionWriter.class.getName());
    private static final CloseReason GOING_AWAY = new CloseReason(CloseReason.CloseCodes.GOING_AWAY, "server shutting down");
    private static final CloseReason GONE = new CloseReason(CloseReason.CloseCodes.getCloseCode(4404), "conversation deleted");
    private static final CloseReason IDLE = new CloseReason(CloseReason.CloseCodes.VIOLATED_POLICY, "idle");
    private static final CloseReason NO_PONG = new CloseReason(CloseReason.CloseCodes.VIOLATED_POLICY, "no pong");
    /** In the queue: a ping to send in its turn, so a ping never overlaps a frame's send. */
    private static final Object PING = new Object();
    private static final ByteBuffer PING_DATA = ByteBuffer.allocate(0);

    private final Session session;
    private final String client;
    private final String user;
    private final Executor closer;
    private final long maxBacklogBytes;
    private final Consumer<SessionWriter> onOverflow;
    private final Deque<Object> queue = new ArrayDeque<>();
    /** When the blocking write in progress started, by {@link System#nanoTime()}; 0 when none is. */
    private volatile long writingSince;
    private volatile long heardAt = System.nanoTime();
    private volatile boolean awaitingPong;
    private long backlogBytes;
    private boolean sending;
    private boolean broken;
    private CloseReason closeWhenDrained;

    /**
     * A writer for {@code session} that closes the socket on {@code closer} and calls
     * {@code onOverflow} (once, on the sending thread, which may hold its conversation's lock) when
     * more than {@code maxBacklogBytes} wait to be sent.
     */
    SessionWriter(Session session, String client, String user, Executor closer, long maxBacklogBytes, Consumer<SessionWriter> onOverflow) {
        this.session = session;
        this.client = client;
        this.user = user;
        this.closer = closer;
        this.maxBacklogBytes = maxBacklogBytes;
        this.onOverflow = onOverflow;
    }

    @Override
    public String client() {
        return client;
    }

    @Override
    public String user() {
        return user;
    }

    /** The client sent a frame: it is not idle. */
    void heard() {
        heardAt = System.nanoTime();
    }

    /** The client answered a ping. */
    void ponged() {
        awaitingPong = false;
    }

    /**
     * One heartbeat (every {@code chat.ping-interval}): a socket whose client sent no frame for
     * {@code idleNanos} is closed with 1008 once its frames are out; with {@code ping}, one that did
     * not answer the previous ping is closed with 1008 at once, and any other is pinged.
     */
    void beat(long idleNanos, boolean ping) {
        if (System.nanoTime() - heardAt > idleNanos) {
            LOG.log(Level.FINE, "Socket {0} sent nothing for chat.idle-timeout; closing it with 1008", session.getId());
            closeWhenDrained(IDLE);
            return;
        }
        if (!ping) {
            return;
        }
        boolean dead;
        synchronized (this) {
            if (broken) {
                return;
            }
            dead = awaitingPong;
            if (dead) {
                broken = true;
                queue.clear();
            }
            awaitingPong = true;
        }
        if (dead) {
            LOG.log(Level.FINE, "Socket {0} did not answer a ping; closing it with 1008", session.getId());
            closeQuietly(NO_PONG);
        } else {
            enqueue(PING, true);
        }
    }

    @Override
    public Rejections rejections() {
        return rejections;
    }

    @Override
    public void send(ServerFrame frame) {
        enqueue(frame, true);
    }

    @Override
    public void push(ServerFrame frame) {
        enqueue(frame, false);
    }

    @Override
    public void release() {
        synchronized (this) {
            if (sending || broken || queue.isEmpty()) {
                return;
            }
            sending = true;
        }
        pump();
    }

    @Override
    public void flush() {
        synchronized (this) {
            if (sending || broken || queue.isEmpty()) {
                return;
            }
            sending = true;
        }
        drain();
    }

    /**
     * Cuts the client off (as {@code onOverflow}, closing it with 1008) if a blocking write has
     * been waiting for it for more than {@code timeoutNanos}; called periodically.
     */
    void checkWrite(long now, long timeoutNanos) {
        long since = writingSince;
        if (since == 0 || now - since <= timeoutNanos) {
            return;
        }
        synchronized (this) {
            if (broken) {
                return;
            }
            broken = true;
            queue.clear();
            backlogBytes = 0;
        }
        LOG.log(Level.INFO, "Socket {0} took no frame for {1} ms; closing it with 1008",
                new Object[] {session.getId(), String.valueOf(TimeUnit.NANOSECONDS.toMillis(timeoutNanos))});
        onOverflow.accept(this);
    }

    private void enqueue(Object frame, boolean start) {
        boolean overflow = false;
        synchronized (this) {
            if (broken) {
                return;
            }
            queue.add(frame);
            backlogBytes += size(frame);
            if (backlogBytes > maxBacklogBytes) {
                broken = true;
                queue.clear();
                backlogBytes = 0;
                overflow = true;
            } else if (sending || !start) {
                return;
            } else {
                sending = true;
            }
        }
        if (overflow) {
            LOG.log(Level.INFO, "Socket {0} fell more than {1} bytes behind; closing it with 1008",
                    new Object[] {session.getId(), maxBacklogBytes});
            onOverflow.accept(this);
            return;
        }
        pump();
    }

    /** The session this writer writes to. */
    Session session() {
        return session;
    }

    private static long size(Object frame) {
        return frame == PING ? 0 : frame instanceof RawFrame raw ? raw.json().length() : 256;
    }

    @Override
    public void goAway() {
        closeWhenDrained(GOING_AWAY);
    }

    @Override
    public void gone() {
        closeWhenDrained(GONE);
    }

    private void closeWhenDrained(CloseReason reason) {
        synchronized (this) {
            closeWhenDrained = reason;
            if (sending) {
                return;
            }
            sending = true;
        }
        pump();
    }

    /**
     * The next frame to send, for the thread that holds the right to send; null when there is
     * none, and then the right is given up and the socket closed if that was asked for.
     */
    private Object next() {
        Object next;
        CloseReason close = null;
        synchronized (this) {
            next = broken ? null : queue.poll();
            if (next != null) {
                backlogBytes -= size(next);
            } else {
                close = broken ? null : closeWhenDrained;
                closeWhenDrained = null;
                sending = false;
            }
        }
        if (next == null && close != null) {
            closeQuietly(close);
        }
        return next;
    }

    /** Sends queued frames while this thread holds the right to send; then closes, if asked to. */
    private void pump() {
        while (true) {
            Object next = next();
            if (next == null) {
                return;
            }
            if (next == PING) {
                try {
                    session.getAsyncRemote().sendPing(PING_DATA.duplicate());
                } catch (IOException | RuntimeException e) {
                    fail(e.getClass().getName());
                    return;
                }
                continue;
            }
            Completion completion = new Completion();
            try {
                session.getAsyncRemote().sendObject(next, completion);
            } catch (RuntimeException e) {
                fail(e.getClass().getName());
                return;
            }
            if (!completion.returned()) {
                return;
            }
        }
    }

    /**
     * Sends queued frames with the blocking remote endpoint while this thread holds the right to
     * send; then closes, if asked to. A frame the blocking endpoint refuses because Liberty still
     * counts the last asynchronous send as in progress, and any ping, go back to the head of the
     * queue and the asynchronous loop takes over.
     *
     * <p>Frames go out with the blocking {@code sendObject}, never {@code sendText} or
     * {@code sendPing}: on Liberty (26.0.0.3, read in its bytecode) those two leave the connection
     * marked as writing when the write fails, e.g. because the client went away in the middle of
     * it, and the thread that then reads the client's close frame waits for that write forever:
     * the socket is never closed, its turn never let go, and the server cannot stop.
     * {@code sendObject} clears the mark however the write ends.
     */
    private void drain() {
        while (true) {
            Object next = next();
            if (next == null) {
                return;
            }
            if (next == PING) {
                handOver(next);
                return;
            }
            writingSince = System.nanoTime();
            try {
                session.getBasicRemote().sendObject(next);
            } catch (IllegalStateException e) {
                handOver(next);
                return;
            } catch (IOException | EncodeException | RuntimeException e) {
                fail(e.getClass().getName());
                return;
            } finally {
                writingSince = 0;
            }
        }
    }

    /** Puts {@code frame} back at the head of the queue and lets the asynchronous loop send it and what follows. */
    private void handOver(Object frame) {
        synchronized (this) {
            if (broken) {
                sending = false;
                return;
            }
            queue.addFirst(frame);
            backlogBytes += size(frame);
        }
        pump();
    }

    /**
     * Closes the socket on the closer, never on the calling thread (the heartbeat, a reader): on
     * Liberty a close writes the close frame with a blocking write, which waits as long as a client
     * that stopped reading keeps its connection open, and one such client must not stall the
     * heartbeat of every other socket.
     */
    private void closeQuietly(CloseReason reason) {
        Runnable close = () -> {
            try {
                session.close(reason);
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.FINE, "Closing socket {0} failed: {1}", new Object[] {session.getId(), e.getClass().getName()});
            }
        };
        try {
            closer.execute(close);
        } catch (RejectedExecutionException e) {
            close.run();
        }
    }

    private void fail(String reason) {
        synchronized (this) {
            broken = true;
            queue.clear();
            sending = false;
        }
        LOG.log(Level.FINE, "Sending to socket {0} failed: {1}", new Object[] {session.getId(), reason});
    }

    /**
     * The end of one send. Whichever comes second, the send's completion or the return from
     * {@code sendObject}, continues the pump: on the completing thread, or in the loop above.
     */
    private final class Completion implements SendHandler {
        private final AtomicInteger arrivals = new AtomicInteger();

        @Override
        public void onResult(SendResult result) {
            if (!result.isOK()) {
                fail(String.valueOf(result.getException()));
                return;
            }
            if (arrivals.incrementAndGet() == 2) {
                pump();
            }
        }

        /** Called once {@code sendObject} returned; true if the send had already completed. */
        boolean returned() {
            return arrivals.incrementAndGet() == 2;
        }
    }
}
