package dev.floe.error;

/** A refusal that passes with time: answered with a {@code Retry-After} header. */
public class TryLaterException extends FloeException {
  private final long retryAfterSeconds;

  public TryLaterException(ErrorCode code, String message, long retryAfterSeconds) {
    super(code, message);
    this.retryAfterSeconds = retryAfterSeconds;
  }

  public long retryAfterSeconds() {
    return retryAfterSeconds;
  }
}
