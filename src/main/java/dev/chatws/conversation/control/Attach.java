package dev.chatws.conversation.control;

/** What became of a socket that asked to attach to a conversation ({@link Conversation#attach}). */
public enum Attach {
    ATTACHED,
    /** The conversation was unloaded or erased meanwhile: look it up again. */
    GONE,
    /** It belongs to another user: to the client, as unknown as a conversation that does not exist. */
    NOT_YOURS
}
