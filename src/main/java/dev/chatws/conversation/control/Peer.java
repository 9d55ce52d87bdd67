package dev.chatws.conversation.control;

import dev.chatws.conversation.entity.ServerFrame;

/**
 * A socket attached to a conversation, as the conversation sees it: somewhere to send frames.
 * {@link #send(ServerFrame)} never blocks; frames reach the socket in the order they were sent.
 */
public interface Peer {

    /** Who is on the other end, for per-client limits: the user's name, or the client's address. */
    String client();

    /** The authenticated user on the other end; null when anonymous. */
    String user();

    /** Queues {@code frame} for this socket. */
    void send(ServerFrame frame);

    /** Closes the socket with 1001 (the server is going away) once the frames queued so far are sent. */
    void goAway();

    /** Closes the socket with 4404 (the conversation was deleted) once the frames queued so far are sent. */
    void gone();
}
