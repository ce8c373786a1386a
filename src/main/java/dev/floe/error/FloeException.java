package dev.floe.error;

/**
 * A failure the client can act on. The message is one sentence saying what failed and how to fix
 * it; it is shown to the client as is, so it never carries internals.
 */
public class FloeException extends RuntimeException {
  private final ErrorCode code;
  private final String details;
  private final Diagnostics diagnostics;
  private String runId;

  public FloeException(ErrorCode code, String message) {
    this(code, message, null, null);
  }

  public FloeException(ErrorCode code, String message, String details, Diagnostics diagnostics) {
    super(message);
    this.code = code;
    this.details = details;
    this.diagnostics = diagnostics;
  }

  public static FloeException invalid(String message) {
    return new FloeException(ErrorCode.INVALID_REQUEST, message);
  }

  /** Marks the failure as belonging to a run, so the client can find it in the logs. */
  public FloeException inRun(String runId) {
    if (this.runId == null) {
      this.runId = runId;
    }
    return this;
  }

  public String runId() {
    return runId;
  }

  public ErrorCode code() {
    return code;
  }

  public String details() {
    return details;
  }

  public Diagnostics diagnostics() {
    return diagnostics;
  }
}
