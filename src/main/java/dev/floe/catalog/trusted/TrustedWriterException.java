package dev.floe.catalog.trusted;

/** The trusted writer could not answer a request; the writer involved was killed. */
public class TrustedWriterException extends Exception {
  /** What went wrong, which decides what the caller may safely do next. */
  public enum Kind {
    /** No writer could be started (no Python environment, a broken install). */
    UNAVAILABLE,
    /** The writer was found dead before the request reached it: sending it again is safe. */
    NOT_DELIVERED,
    /** The writer died or broke the protocol while working on the request. */
    DIED,
    /** The writer did not answer in time. */
    TIMED_OUT
  }

  private final Kind kind;

  public TrustedWriterException(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }
}
