package dev.chatws.upstream.control;

import dev.chatws.errors.Causes;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One HTTP exchange with the upstream: POST the request, then read the answer on the calling
 * thread, reporting each event to an {@link UpstreamListener} as it arrives. {@link #abort()} may
 * be called from any thread, in any phase: it cancels a request still connecting or waiting for
 * its status line, closes a body being read (both abort the connection, so the upstream sees the
 * hang-up at once), and nothing is reported after it.
 */
public final class UpstreamCall implements Runnable, Upstream.Call {

    private static final Logger LOG = Logger.getLogger(UpstreamCall.class.getName());
    /** How much longer than its own deadline a call waits for headers before the client gives up by itself (the watchdog ends it first). */
    private static final Duration HEADERS_BACKSTOP = Duration.ofSeconds(30);

    private final CallContext shared;
    private final byte[] body;
    private final boolean streaming;
    private final UpstreamListener listener;
    private final Runnable finished;
    private final AtomicBoolean judged = new AtomicBoolean();
    private final AtomicBoolean released = new AtomicBoolean();
    private final long deadlineNanos;
    private final long startedNanos = System.nanoTime();
    private volatile Thread reader;

    private volatile boolean aborted;
    private volatile CompletableFuture<HttpResponse<InputStream>> pending;
    private volatile InputStream stream;
    private volatile long lastEventNanos;

    UpstreamCall(CallContext shared, byte[] body, boolean streaming, UpstreamListener listener, Runnable finished) {
        this.shared = shared;
        this.body = body;
        this.streaming = streaming;
        this.listener = listener;
        this.finished = finished;
        this.deadlineNanos = startedNanos + shared.watchdog().firstAnswerNanos(streaming);
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
        shared.watchdog().watch(this);
        InputStream in = null;
        try {
            in = send();
            judge(true);
            stream = in;
            if (aborted) {
                closeQuietly(in);
                return;
            }
            if (streaming) {
                readEvents(in);
            } else {
                String json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                release();
                if (!aborted) {
                    listener.body(json);
                }
            }
        } catch (Refused e) {
            judge(!RetryPolicy.retryable(e.status));
            if (!aborted) {
                LOG.log(Level.INFO, "Upstream answered HTTP {0}{1}", new Object[] {e.status, e.code == null ? "" : " " + e.code});
                String message = "The upstream API answered HTTP " + e.status + (e.code == null ? "." : " (" + e.code + ").");
                e.overflow.ifPresentOrElse(overflow -> listener.contextOverflow(overflow, message), () -> listener.failed(e.status, message));
            }
        } catch (IOException | RuntimeException e) {
            if (aborted) {
                return;
            }
            if (stream == null) {
                judge(false);
            }
            if (Causes.include(e, java.net.http.HttpTimeoutException.class)) {
                LOG.log(Level.INFO, "Upstream went silent: {0}", Causes.names(e));
                listener.timedOut("The upstream API did not answer within its time.");
            } else {
                LOG.log(Level.WARNING, "Upstream call broke: {0}", Causes.names(e));
                listener.failed(null, "The connection to the upstream API broke.");
            }
        } finally {
            shared.watchdog().forget(this);
            closeQuietly(in);
            release();
        }
    }

    /**
     * POSTs the request, and again while {@link RetryPolicy} allows: only here, before any chunk,
     * so a retry never repeats what a client has seen. Returns the body of a 2xx answer.
     */
    private InputStream send() throws IOException, Refused {
        for (int attempt = 0; ; attempt++) {
            Optional<Duration> wait;
            Exception failure;
            UpstreamTracing.Call trace = shared.tracing().start();
            try {
                HttpResponse<InputStream> response = exchange(trace);
                int status = response.statusCode();
                trace.answered(status);
                if (status < 400) {
                    return response.body();
                }
                String retryAfter = response.headers().firstValue("Retry-After").orElse(null);
                wait = RetryPolicy.retryable(status)
                        ? shared.retries().delay(attempt, retryAfter, false, remaining(), Instant.now())
                        : Optional.empty();
                if (wait.isPresent()) {
                    closeQuietly(response.body());
                    LOG.log(Level.INFO, "Upstream answered HTTP {0}; retry {1} of {2} in {3} ms",
                            new Object[] {status, attempt + 1, shared.retries().retries(), wait.get().toMillis()});
                    failure = null;
                } else {
                    failure = new Refused(status, retryAfter, ErrorBody.read(status, response.body()));
                }
            } catch (IOException e) {
                trace.failed(aborted ? "aborted" : e.getClass().getSimpleName());
                wait = aborted || Causes.include(e, java.net.http.HttpTimeoutException.class)
                        ? Optional.empty()
                        : shared.retries().delay(attempt, null, true, remaining(), Instant.now());
                failure = e;
                if (wait.isPresent()) {
                    LOG.log(Level.INFO, "Upstream connection failed ({0}); retry {1} of {2} in {3} ms",
                            new Object[] {Causes.names(e), attempt + 1, shared.retries().retries(), wait.get().toMillis()});
                }
            }
            if (wait.isEmpty() || aborted) {
                if (failure instanceof Refused refused) {
                    throw refused;
                }
                throw failure instanceof IOException io ? io : new IOException("aborted");
            }
            pause(wait.get());
            if (aborted) {
                throw new CancellationException("aborted while waiting to retry");
            }
            shared.retried().increment();
        }
    }

    /** One request: waits for the status line and headers; {@link #abort()} cancels the wait and the request. */
    private HttpResponse<InputStream> exchange(UpstreamTracing.Call trace) throws IOException {
        CompletableFuture<HttpResponse<InputStream>> answer = shared.api().create(body, trace.headers(),
                Duration.ofNanos(Math.max(0, deadlineNanos - System.nanoTime())).plus(HEADERS_BACKSTOP));
        pending = answer;
        if (aborted) {
            answer.cancel(true);
        }
        try {
            return answer.get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        } catch (CancellationException e) {
            throw new IOException("aborted", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            answer.cancel(true);
            throw new IOException("interrupted", e);
        } finally {
            pending = null;
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
        while ((event = reader.next()) != null && !aborted) {
            lastEventNanos = System.nanoTime();
            if (event.isDone()) {
                break;
            }
            listener.event(event.data());
        }
        release();
        if (!aborted) {
            listener.completed(event != null);
        }
    }

    /**
     * Stops the exchange, whatever phase it is in: nothing more is reported, a request still
     * connecting or waiting for its answer is cancelled, and a body being read is closed off the
     * caller's thread; either aborts the connection.
     */
    @Override
    public void abort() {
        aborted = true;
        release();
        Thread waiting = reader;
        if (waiting != null) {
            LockSupport.unpark(waiting);
        }
        CompletableFuture<HttpResponse<InputStream>> answer = pending;
        if (answer != null) {
            answer.cancel(true);
        }
        InputStream in = stream;
        if (in != null) {
            try {
                shared.closer().execute(() -> closeQuietly(in));
            } catch (RejectedExecutionException e) {
                closeQuietly(in);
            }
        }
    }

    /**
     * Gives the call's place back, once: when its answer has been read whole (before the listener
     * hears of it, so a client's next turn, sent on the terminal frame, finds the place free), when
     * it ends otherwise, or when it is aborted (its connection is closing).
     */
    private void release() {
        if (released.compareAndSet(false, true)) {
            if (judged.compareAndSet(false, true)) {
                shared.breaker().abandoned();
            }
            finished.run();
        }
    }

    /** Tells the circuit breaker, once, whether the upstream answered (true) or is failing. */
    private void judge(boolean answered) {
        if (judged.compareAndSet(false, true)) {
            if (answered) {
                shared.breaker().success();
            } else {
                shared.breaker().failure();
            }
        }
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
