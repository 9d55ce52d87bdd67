package dev.chatws.conversation.control;

import dev.chatws.errors.Causes;

/**
 * The database could not be read or written. The message names the exception classes only
 * (never a URL, user or password); whoever catches it logs it once.
 *
 * <p>Immutable.
 */
public final class StoreException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    StoreException(String message, Throwable cause) {
        super(message, cause);
    }

    /** Whether the database refused it for a constraint (SQLState class 23), such as a position another server took. */
    boolean conflict() {
        return Causes.find(getCause(), java.sql.SQLException.class)
                .map(java.sql.SQLException::getSQLState).filter(state -> state.startsWith("23")).isPresent();
    }
}
