package dev.chatws.conversation.control;

import dev.chatws.conversation.entity.ServerFrame;

/**
 * A socket attached to a conversation, as the conversation sees it: somewhere to send frames.
 * {@link #send(ServerFrame)}, {@link #push(ServerFrame)} and {@link #release()} never block;
 * frames reach the socket in the order they were sent or pushed.
 */
public interface Peer {

    /** Who is on the other end, for per-client limits: the user's name, or the client's address. */
    String client();

    /** The authenticated user on the other end; null when anonymous. */
    String user();

    /** Queues {@code frame} for this socket and makes sure it goes out. */
    void send(ServerFrame frame);

    /**
     * Queues {@code frame} without starting to send it: the caller calls {@link #flush()} once it
     * holds no lock. For the thread that reads the upstream, which may then write itself.
     */
    void push(ServerFrame frame);

    /**
     * Writes what is queued on the calling thread, blocking until the socket took it (bounded by
     * the write timeout), unless a send is in progress elsewhere, which then takes it. Never call
     * it holding a lock or on a WebSocket callback thread.
     */
    void flush();

    /**
     * Starts sending what is queued through the asynchronous sends, without blocking; for a
     * thread that must not block (a WebSocket callback, a timer) after it pushed frames.
     */
    void release();

    /** What this socket's rejected frames write to the log. */
    Rejections rejections();

    /** Closes the socket with 1001 (the server is going away) once the frames queued so far are sent. */
    void goAway();

    /** Closes the socket with 4404 (the conversation was deleted) once the frames queued so far are sent. */
    void gone();
}
