package dev.floe.error;

/**
 * Floe refuses to start, for a reason the operator fixes in its settings: the log shows this one
 * sentence, without a stack trace of ours (there is no bug to find).
 */
public class StartupRefusal extends RuntimeException {
  public StartupRefusal(String message) {
    super(message, null, false, false);
  }
}
