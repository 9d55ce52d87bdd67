package dev.chatws.conversation.boundary;

import jakarta.websocket.CloseReason;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.ToLongFunction;

/**
 * The frames waiting for one socket, and the right to send them: at most one thread holds that
 * right at a time, and only it takes frames off the queue, so sends never overlap and frames go
 * out in the order they were queued. The frames waiting are bounded in bytes; past the bound the
 * queue is dropped and stays broken (its socket is to be cut off). A close asked for waits until
 * the queue is empty. No I/O: {@link SessionWriter} does the sending.
 *
 * <p>Thread-safe (its monitor guards everything).
 */
final class SendQueue {

    /** What became of an {@link #offer}. */
    enum Offer {
        /** Queued; someone else sends it (or the caller asked not to start). */
        QUEUED,
        /** Queued, and the caller now holds the right to send. */
        SEND,
        /** The queue went over its bound: dropped, and broken from now on. */
        OVERFLOW,
        /** The queue is broken: nothing is sent any more. */
        DROPPED
    }

    /** What the holder of the right to send does next: send {@code frame}, or (frame null) close with {@code close} if not null. */
    record Next(Object frame, CloseReason close) {
    }

    private final Deque<Object> queue = new ArrayDeque<>();
    private final long maxBytes;
    private final ToLongFunction<Object> size;
    private long bytes;
    private boolean sending;
    private boolean broken;
    private CloseReason closeWhenDrained;

    /** A queue of at most {@code maxBytes}, each frame counted as {@code size} says. */
    SendQueue(long maxBytes, ToLongFunction<Object> size) {
        this.maxBytes = maxBytes;
        this.size = size;
    }

    /** Queues {@code frame}; with {@code start}, the caller takes the right to send if nobody holds it. */
    synchronized Offer offer(Object frame, boolean start) {
        if (broken) {
            return Offer.DROPPED;
        }
        queue.add(frame);
        bytes += size.applyAsLong(frame);
        if (bytes > maxBytes) {
            breakOff();
            return Offer.OVERFLOW;
        }
        if (sending || !start) {
            return Offer.QUEUED;
        }
        sending = true;
        return Offer.SEND;
    }

    /** Takes the right to send, if nobody holds it and frames wait; true if the caller now holds it. */
    synchronized boolean claim() {
        if (sending || broken || queue.isEmpty()) {
            return false;
        }
        sending = true;
        return true;
    }

    /**
     * Asks for a close with {@code reason} once the queue is empty; true if the caller now holds
     * the right to send (and is to {@link #next} until it gets the close).
     */
    synchronized boolean closeWhenDrained(CloseReason reason) {
        closeWhenDrained = reason;
        if (sending) {
            return false;
        }
        sending = true;
        return true;
    }

    /**
     * For the holder of the right to send: the next frame; or, when none is left, the right is
     * given up and the close asked for, if any, is handed over (once).
     */
    synchronized Next next() {
        Object frame = broken ? null : queue.poll();
        if (frame != null) {
            bytes -= size.applyAsLong(frame);
            return new Next(frame, null);
        }
        CloseReason close = broken ? null : closeWhenDrained;
        closeWhenDrained = null;
        sending = false;
        return new Next(null, close);
    }

    /**
     * For the holder of the right to send: puts {@code frame} back at the head of the queue (to be
     * sent another way); false, and the right given up, if the queue broke meanwhile.
     */
    synchronized boolean putBack(Object frame) {
        if (broken) {
            sending = false;
            return false;
        }
        queue.addFirst(frame);
        bytes += size.applyAsLong(frame);
        return true;
    }

    /** Drops the queue and stops sending for good; true if it was not broken already. */
    synchronized boolean breakOff() {
        if (broken) {
            return false;
        }
        broken = true;
        queue.clear();
        bytes = 0;
        return true;
    }

    /** A send failed: the queue is dropped, broken, and the right to send given up. */
    synchronized void failed() {
        breakOff();
        sending = false;
    }

    synchronized boolean broken() {
        return broken;
    }

    /** Bytes waiting. */
    synchronized long bytes() {
        return bytes;
    }
}
