package dev.chatws.conversation.control;

import dev.chatws.conversation.entity.ServerFrame;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The sockets attached to one conversation, and the fan-out to them. A frame for all of them is
 * queued under the conversation's lock ({@link #broadcast}, never blocking) and goes out after the
 * lock is let go ({@link #deliver}): written on the calling thread where that thread may block
 * (the upstream reader, a commit thread), else handed to each socket's asynchronous sends.
 *
 * <p>Not thread-safe: guarded by its conversation's lock; {@link #deliver} runs outside it.
 */
final class Audience {

    private static final Peer[] NONE = new Peer[0];

    private final Set<Peer> peers = new LinkedHashSet<>();

    boolean isEmpty() {
        return peers.isEmpty();
    }

    void add(Peer peer) {
        peers.add(peer);
    }

    void remove(Peer peer) {
        peers.remove(peer);
    }

    /** Detaches every socket and returns them, in the order they attached. */
    List<Peer> leaveAll() {
        List<Peer> leaving = List.copyOf(peers);
        peers.clear();
        return leaving;
    }

    /** Queues {@code frame} for every attached socket; it goes out at {@link #deliver}. */
    void broadcast(ServerFrame frame) {
        for (Peer peer : peers) {
            peer.push(frame);
        }
    }

    /** The sockets attached now, for {@link #deliver} once the lock is let go. */
    Peer[] targets() {
        return peers.toArray(NONE);
    }

    /**
     * Sends what was queued for {@code targets}: on this thread if {@code mayBlock} (never a
     * WebSocket callback's), else through each socket's asynchronous sends. Outside the lock.
     */
    static void deliver(Peer[] targets, boolean mayBlock) {
        for (Peer peer : targets) {
            if (mayBlock) {
                peer.flush();
            } else {
                peer.release();
            }
        }
    }
}
