package dev.chatws.upstream.control;

import java.io.FilterInputStream;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Aborts the HTTP connection under a response stream, so the upstream sees it closed at once.
 *
 * <p>Why it exists: Liberty's Rest Client (RESTEasy over Apache HttpClient 4) offers no public
 * way to abandon a streamed response. Closing the stream, or the {@code Response}, reads the rest
 * of a chunked body to keep the connection for reuse; for a chat stream that means the upstream
 * goes on generating (and billing) tokens nobody reads, and the closing thread waits until it ends.
 * Apache's own answer is {@code ConnectionReleaseTrigger.abortConnection()} on the stream it hands
 * out, which RESTEasy wraps in {@link FilterInputStream}s. This class walks down those wrappers and
 * calls that public method by name, so nothing here depends on a RESTEasy or Apache type at compile
 * time.
 *
 * <p>Where no such method is found (another server's client), {@link #abort(InputStream)} returns
 * false and the caller falls back to closing the stream on the thread that reads it. Stateless and
 * thread-safe; abortConnection is itself safe to call from another thread than the reader.
 */
final class ConnectionAbort {

    private static final Logger LOG = Logger.getLogger(ConnectionAbort.class.getName());
    private static final int MAX_DEPTH = 8;
    private static final Field WRAPPED = wrappedField();

    private ConnectionAbort() {
    }

    /** Aborts the connection under {@code stream}; false if it has no abortable connection. */
    static boolean abort(InputStream stream) {
        Object current = stream;
        for (int depth = 0; current != null && depth < MAX_DEPTH; depth++) {
            Method abort = abortMethod(current.getClass());
            if (abort != null) {
                try {
                    abort.invoke(current);
                    return true;
                } catch (ReflectiveOperationException | RuntimeException e) {
                    LOG.log(Level.FINE, "abortConnection failed on {0}: {1}", new Object[] {current.getClass().getName(), e.getClass().getName()});
                    return false;
                }
            }
            if (!(current instanceof FilterInputStream) || WRAPPED == null) {
                break;
            }
            try {
                current = WRAPPED.get(current);
            } catch (IllegalAccessException e) {
                break;
            }
        }
        LOG.log(Level.FINE, "No abortable connection under {0}", stream == null ? null : stream.getClass().getName());
        return false;
    }

    private static Method abortMethod(Class<?> type) {
        try {
            Method method = type.getMethod("abortConnection");
            return method.getParameterCount() == 0 ? method : null;
        } catch (NoSuchMethodException | SecurityException e) {
            return null;
        }
    }

    private static Field wrappedField() {
        try {
            Field field = FilterInputStream.class.getDeclaredField("in");
            field.setAccessible(true);
            return field;
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.log(Level.FINE, "FilterInputStream.in is not accessible: {0}", e.getClass().getName());
            return null;
        }
    }
}
