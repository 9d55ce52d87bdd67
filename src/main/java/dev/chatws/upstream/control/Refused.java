package dev.chatws.upstream.control;

/** An error status the upstream answered with, after any retries. */
final class Refused extends Exception {
    private static final long serialVersionUID = 1L;
    final int status;
    final String retryAfter;
    final String code;
    /** Present when the upstream refused the prompt as longer than the model's context. */
    final java.util.Optional<ContextOverflow> overflow;

    Refused(int status, String retryAfter, ErrorBody.Reading reading) {
        super(null, null, false, false);
        this.status = status;
        this.retryAfter = retryAfter;
        this.code = reading.code();
        this.overflow = reading.overflow();
    }
}
