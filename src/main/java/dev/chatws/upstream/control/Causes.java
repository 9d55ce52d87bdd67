package dev.chatws.upstream.control;

/**
 * Walks an exception's chain of causes: for deciding what a failure was (a timeout?) and for log
 * lines that name the classes only, never a message (which may carry a URL or a body).
 *
 * <p>Stateless.
 */
final class Causes {

    private Causes() {
    }

    /** Whether {@code e} or one of its causes is a {@code type}. */
    static boolean include(Throwable e, Class<? extends Throwable> type) {
        for (Throwable cause = e; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (type.isInstance(cause)) {
                return true;
            }
        }
        return false;
    }

    /** The class names of {@code e} and its causes, outermost first. */
    static String names(Throwable e) {
        StringBuilder names = new StringBuilder(e.getClass().getName());
        for (Throwable cause = e.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
            names.append(" <- ").append(cause.getClass().getName());
        }
        return names.toString();
    }
}
