package dev.chatws.upstream.control;

import dev.chatws.json.JsonText;
import dev.chatws.upstream.boundary.ChatCompletionsApi;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.Executor;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * One HTTP exchange with the upstream: POST the request, then read the answer on the calling
 * thread, reporting each event to an {@link UpstreamListener} as it arrives. {@link #abort()} may
 * be called from any thread: it closes the connection off the caller's thread, and nothing is
 * reported after it.
 */
public final class UpstreamCall implements Runnable {

    private static final Logger LOG = Logger.getLogger(UpstreamCall.class.getName());
    private static final Pattern ERROR_CODE = Pattern.compile("[A-Za-z0-9_.\\-]{1,64}");
    private static final int MAX_ERROR_BODY = 64 * 1024;

    private final ChatCompletionsApi api;
    private final byte[] body;
    private final boolean streaming;
    private final UpstreamListener listener;
    private final Executor closer;

    private final Watchdog watchdog;
    private final RetryPolicy retries;
    private final LongAdder retried;
    private final CircuitBreaker breaker;
    private final Runnable finished;
    private final AtomicBoolean judged = new AtomicBoolean();
    private final AtomicBoolean released = new AtomicBoolean();
    private final long deadlineNanos;
    private final long startedNanos = System.nanoTime();
    private volatile Thread reader;

    private volatile boolean aborted;
    private volatile InputStream stream;
    private volatile long lastEventNanos;

    UpstreamCall(ChatCompletionsApi api, byte[] body, boolean streaming, UpstreamListener listener, Executor closer,
            Watchdog watchdog, RetryPolicy retries, LongAdder retried, CircuitBreaker breaker, Runnable finished) {
        this.api = api;
        this.body = body;
        this.streaming = streaming;
        this.listener = listener;
        this.closer = closer;
        this.watchdog = watchdog;
        this.retries = retries;
        this.retried = retried;
        this.breaker = breaker;
        this.finished = finished;
        this.deadlineNanos = startedNanos + watchdog.firstAnswerNanos(streaming);
    }

    long startedNanos() {
        return startedNanos;
    }

    /** When the last SSE event (not a comment) arrived, by {@link System#nanoTime()}; 0 before the first. */
    long lastEventNanos() {
        return lastEventNanos;
    }

    boolean streaming() {
        return streaming;
    }

    /** The watchdog found this call overdue: report it (the listener aborts the call). */
    void timeOut(String reason) {
        if (lastEventNanos == 0) {
            judge(false);
        }
        if (!aborted) {
            LOG.log(Level.INFO, "Upstream call timed out: {0}", reason);
            listener.timedOut(reason);
        }
    }

    @Override
    public void run() {
        reader = Thread.currentThread();
        watchdog.watch(this);
        InputStream in = null;
        try {
            in = send();
            judge(true);
            stream = in;
            if (aborted) {
                ConnectionAbort.abort(in);
                return;
            }
            if (streaming) {
                readEvents(in);
            } else {
                String json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                if (!aborted) {
                    listener.body(json);
                }
            }
        } catch (WebApplicationException e) {
            judge(!RetryPolicy.retryable(e.getResponse().getStatus()));
            if (!aborted) {
                Response response = e.getResponse();
                int status = response.getStatus();
                String code = errorCode(response);
                LOG.log(Level.INFO, "Upstream answered HTTP {0}{1}", new Object[] {status, code == null ? "" : " " + code});
                listener.failed(status, "The upstream API answered HTTP " + status + (code == null ? "." : " (" + code + ")."));
            }
        } catch (IOException | RuntimeException e) {
            if (aborted) {
                return;
            }
            if (stream == null) {
                judge(false);
            }
            if (hasCause(e, java.net.SocketTimeoutException.class)) {
                LOG.log(Level.INFO, "Upstream went silent: {0}", causes(e));
                listener.timedOut("The upstream API sent nothing for longer than the socket read timeout.");
            } else {
                LOG.log(Level.WARNING, "Upstream call broke: {0}", causes(e));
                listener.failed(null, "The connection to the upstream API broke.");
            }
        } finally {
            watchdog.forget(this);
            closeQuietly(in);
            release();
        }
    }

    /**
     * POSTs the request, and again while {@link RetryPolicy} allows: only here, before any chunk,
     * so a retry never repeats what a client has seen.
     */
    private InputStream send() {
        for (int attempt = 0; ; attempt++) {
            Optional<Duration> wait;
            RuntimeException failure;
            try {
                return api.create(body);
            } catch (WebApplicationException e) {
                Response response = e.getResponse();
                wait = RetryPolicy.retryable(response.getStatus())
                        ? retries.delay(attempt, response.getHeaderString("Retry-After"), false, remaining(), Instant.now())
                        : Optional.empty();
                failure = e;
                if (wait.isPresent()) {
                    LOG.log(Level.INFO, "Upstream answered HTTP {0}; retry {1} of {2} in {3} ms",
                            new Object[] {response.getStatus(), attempt + 1, retries.retries(), wait.get().toMillis()});
                    response.close();
                }
            } catch (ProcessingException e) {
                wait = hasCause(e, java.net.SocketTimeoutException.class)
                        ? Optional.empty()
                        : retries.delay(attempt, null, true, remaining(), Instant.now());
                failure = e;
                if (wait.isPresent()) {
                    LOG.log(Level.INFO, "Upstream connection failed ({0}); retry {1} of {2} in {3} ms",
                            new Object[] {causes(e), attempt + 1, retries.retries(), wait.get().toMillis()});
                }
            }
            if (wait.isEmpty() || aborted) {
                throw failure;
            }
            pause(wait.get());
            if (aborted) {
                throw new CancellationException("aborted while waiting to retry");
            }
            retried.increment();
        }
    }

    private Duration remaining() {
        return Duration.ofNanos(deadlineNanos - System.nanoTime());
    }

    /** Waits, or less if the call is aborted meanwhile ({@link #abort()} wakes the reader). */
    private void pause(Duration wait) {
        long until = System.nanoTime() + wait.toNanos();
        long left;
        while (!aborted && (left = until - System.nanoTime()) > 0) {
            LockSupport.parkNanos(this, left);
        }
    }

    private void readEvents(InputStream in) throws IOException {
        SseReader reader = new SseReader(in);
        SseEvent event;
        while ((event = reader.next()) != null) {
            if (aborted) {
                return;
            }
            lastEventNanos = System.nanoTime();
            if (event.isDone()) {
                listener.completed(true);
                return;
            }
            listener.event(event.data());
        }
        if (!aborted) {
            listener.completed(false);
        }
    }

    /**
     * Stops the exchange: nothing more is reported, and the connection is aborted at once where the
     * client allows it ({@link ConnectionAbort}); otherwise the reader thread closes the stream when
     * its current read returns.
     */
    public void abort() {
        aborted = true;
        release();
        Thread waiting = reader;
        if (waiting != null) {
            LockSupport.unpark(waiting);
        }
        InputStream in = stream;
        if (in != null) {
            try {
                closer.execute(() -> ConnectionAbort.abort(in));
            } catch (RejectedExecutionException e) {
                ConnectionAbort.abort(in);
            }
        }
    }

    /** Gives the call's place back, once: when it ends, or when it is aborted (its connection is closing). */
    private void release() {
        if (released.compareAndSet(false, true)) {
            if (judged.compareAndSet(false, true)) {
                breaker.abandoned();
            }
            finished.run();
        }
    }

    /** Tells the circuit breaker, once, whether the upstream answered (true) or is failing. */
    private void judge(boolean answered) {
        if (judged.compareAndSet(false, true)) {
            if (answered) {
                breaker.success();
            } else {
                breaker.failure();
            }
        }
    }

    /** The upstream's own error code ({@code error.code}, else {@code error.type}), if it is a plain identifier. */
    private static String errorCode(Response response) {
        try (InputStream in = response.readEntity(InputStream.class)) {
            if (in == null) {
                return null;
            }
            String text = new String(in.readNBytes(MAX_ERROR_BODY), StandardCharsets.UTF_8);
            JsonObject error = JsonText.object(text).getJsonObject("error");
            for (String member : new String[] {"code", "type"}) {
                JsonValue value = error == null ? null : error.get(member);
                if (value instanceof JsonString string && ERROR_CODE.matcher(string.getString()).matches()) {
                    return string.getString();
                }
            }
        } catch (RuntimeException | IOException e) {
            LOG.log(Level.FINE, "Upstream error body was not an OpenAI error object ({0})", e.getClass().getName());
        }
        return null;
    }

    private static boolean hasCause(Throwable e, Class<? extends Throwable> type) {
        for (Throwable cause = e; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (type.isInstance(cause)) {
                return true;
            }
        }
        return false;
    }

    private static String causes(Throwable e) {
        StringBuilder names = new StringBuilder(e.getClass().getName());
        for (Throwable cause = e.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
            names.append(" <- ").append(cause.getClass().getName());
        }
        return names.toString();
    }

    private static void closeQuietly(InputStream in) {
        if (in == null) {
            return;
        }
        try {
            in.close();
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.FINE, "Closing the upstream stream failed: {0}", e.getClass().getName());
        }
    }
}
