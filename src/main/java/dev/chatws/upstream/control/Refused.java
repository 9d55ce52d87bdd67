package dev.chatws.upstream.control;

/** An error status the upstream answered with, after any retries. */
final class Refused extends Exception {
    private static final long serialVersionUID = 1L;
    final int status;
    final String retryAfter;
    final String code;

    Refused(int status, String retryAfter, String code) {
        super(null, null, false, false);
        this.status = status;
        this.retryAfter = retryAfter;
        this.code = code;
    }
}
