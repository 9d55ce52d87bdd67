package dev.chatws.errors;

import java.util.Optional;

/**
 * Walks an exception's chain of causes: for deciding what a failure was (a timeout?) and for log
 * lines that name the classes only, never a message (which may carry a URL or a body).
 *
 * <p>Stateless.
 */
public final class Causes {

    private Causes() {
    }

    /** Whether {@code e} or one of its causes is a {@code type}. */
    public static boolean include(Throwable e, Class<? extends Throwable> type) {
        for (Throwable cause = e; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (type.isInstance(cause)) {
                return true;
            }
        }
        return false;
    }

    /** The class names of {@code e} and its causes, outermost first. */
    public static String names(Throwable e) {
        StringBuilder names = new StringBuilder(e.getClass().getName());
        for (Throwable cause = e.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
            names.append(" <- ").append(cause.getClass().getName());
        }
        return names.toString();
    }

    /** The first of {@code e} and its causes that is a {@code type}. */
    public static <T extends Throwable> Optional<T> find(Throwable e, Class<T> type) {
        for (Throwable cause = e; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (type.isInstance(cause)) {
                return Optional.of(type.cast(cause));
            }
        }
        return Optional.empty();
    }

    /** The innermost cause of {@code e} ({@code e} itself if it has none). */
    public static Throwable root(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause;
    }
}
