package dev.chatws.conversation.boundary;

import dev.chatws.conversation.control.Peer;
import dev.chatws.conversation.control.Rejections;
import dev.chatws.conversation.entity.RawFrame;
import dev.chatws.conversation.entity.ServerFrame;
import jakarta.websocket.CloseReason;
import jakarta.websocket.EncodeException;
import jakarta.websocket.Session;
import java.io.IOException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The one writer of a socket: frames are queued and sent one at a time, each send started when the
 * previous one completed. (On Liberty, starting a send before the previous one completed silently
 * drops frames.) Two ways to send, never at once:
 * <ul>
 * <li>{@link #send(ServerFrame)}, from any thread (WebSocket callbacks, timers): through the
 * asynchronous remote endpoint ({@link AsyncSends}).
 * <li>{@link #push(ServerFrame)} then {@link #flush()}, from the thread that reads the upstream:
 * if no send is in progress, the frames are written with the blocking remote endpoint on that
 * thread, with no hand-off per chunk (Liberty queues every asynchronous write to another thread);
 * otherwise the send in progress takes them. {@link #push(ServerFrame)} then {@link #release()}
 * is {@link #send(ServerFrame)} in two steps, for frames queued under a lock.
 * </ul>
 *
 * <p>A client that does not read is cut off either way: when the frames queued for it pass
 * {@code maxBacklogBytes}, or when one blocking write has not finished after the write timeout
 * ({@link Heartbeat}, then {@link #tooSlow}), the queue is dropped, the writer stops, and its owner is told
 * (it closes the socket with 1008); other sockets are not held up and the server's memory stays
 * bounded.
 *
 * <p>What waits and who may send is its {@link SendQueue}'s; whether the client is still there,
 * its {@link Liveness}'s. Every close of the socket goes through here ({@link #close}), so none
 * overlaps a send.
 *
 * <p>Thread-safe: any thread may {@link #send(ServerFrame)}, which never blocks on the network.
 */
final class SessionWriter implements Peer {

    private static final Logger LOG = Logger.getLogger(SessionWriter.class.getName());
    private static final CloseReason GOING_AWAY = new CloseReason(CloseReason.CloseCodes.GOING_AWAY, "server shutting down");
    private static final CloseReason GONE = new CloseReason(CloseReason.CloseCodes.getCloseCode(4404), "conversation deleted");
    /** In the queue: a ping to send in its turn, so a ping never overlaps a frame's send. */
    private static final Object PING = new Object();

    private final Rejections rejections = new Rejections(System::nanoTime);
    private final Session session;
    private final String client;
    private final String user;
    private final Executor closer;
    private final long maxBacklogBytes;
    private final Consumer<SessionWriter> onOverflow;
    private final SendQueue queue;
    private final Liveness liveness = new Liveness(System.nanoTime());
    private final AsyncSends async;
    /** When the blocking write in progress started, by {@link System#nanoTime()}; 0 when none is. */
    private volatile long writingSince;

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
        this.queue = new SendQueue(maxBacklogBytes, SessionWriter::size);
        this.async = new AsyncSends(session, PING, this::next, this::fail);
    }

    @Override
    public String client() {
        return client;
    }

    @Override
    public String user() {
        return user;
    }

    /** Whether the client is still there. */
    Liveness liveness() {
        return liveness;
    }

    /** Queues a ping, sent in its turn among the frames. */
    void ping() {
        enqueue(PING, true);
    }

    /** Whether this writer stopped for good (the client was cut off, or a send failed). */
    boolean broken() {
        return queue.broken();
    }

    /** When the blocking write in progress started ({@link System#nanoTime()}); 0 when none is. */
    long writingSince() {
        return writingSince;
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
        if (queue.claim()) {
            pump();
        }
    }

    @Override
    public void flush() {
        if (queue.claim()) {
            drain();
        }
    }

    /** Cuts the client off as when it falls too far behind: the queue is dropped and {@code onOverflow} told, once. */
    void tooSlow(String why) {
        if (queue.breakOff()) {
            LOG.log(Level.INFO, "Socket {0} {1}; closing it with 1008", new Object[] {session.getId(), why});
            onOverflow.accept(this);
        }
    }

    private void enqueue(Object frame, boolean start) {
        SendQueue.Offer offer = queue.offer(frame, start);
        if (offer == SendQueue.Offer.SEND) {
            pump();
        } else if (offer == SendQueue.Offer.OVERFLOW) {
            LOG.log(Level.INFO, "Socket {0} fell more than {1} bytes behind; closing it with 1008",
                    new Object[] {session.getId(), maxBacklogBytes});
            onOverflow.accept(this);
        }
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

    /** Closes the socket with {@code reason} now: what is still queued is dropped. On the closer. */
    void close(CloseReason reason) {
        queue.breakOff();
        closeQuietly(reason);
    }

    /** Closes the socket with {@code reason} once the frames queued so far are sent. */
    void closeWhenDrained(CloseReason reason) {
        if (queue.closeWhenDrained(reason)) {
            pump();
        }
    }

    /**
     * The next frame to send, for the thread that holds the right to send; null when there is
     * none, and then the right is given up and the socket closed if that was asked for.
     */
    private Object next() {
        SendQueue.Next next = queue.next();
        if (next.close() != null) {
            closeQuietly(next.close());
        }
        return next.frame();
    }

    /** Sends queued frames asynchronously while this thread holds the right to send; then closes, if asked to. */
    private void pump() {
        async.run();
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
        if (queue.putBack(frame)) {
            pump();
        }
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
        queue.failed();
        LOG.log(Level.FINE, "Sending to socket {0} failed: {1}", new Object[] {session.getId(), reason});
    }
}
