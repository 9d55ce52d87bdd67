package dev.chatws.conversation.control;

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
        for (Throwable cause = getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
            if (cause instanceof java.sql.SQLException sql && sql.getSQLState() != null && sql.getSQLState().startsWith("23")) {
                return true;
            }
        }
        return false;
    }
}
