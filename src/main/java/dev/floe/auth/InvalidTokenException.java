package dev.floe.auth;

/**
 * A bearer token was refused. The message is a short reason that is safe to show the client (it
 * names nothing the client could not see in its own token or in the identity provider's public
 * discovery document); the cause, when there is one, is for the service's log only.
 */
public final class InvalidTokenException extends RuntimeException {
  private final boolean identityProviderUnavailable;

  public InvalidTokenException(String reason) {
    this(reason, null, false);
  }

  InvalidTokenException(String reason, Throwable cause, boolean identityProviderUnavailable) {
    super(reason, cause);
    this.identityProviderUnavailable = identityProviderUnavailable;
  }

  /**
   * True when the token was refused because the identity provider (its discovery document or its
   * keys) could not be reached or read, not because of the token itself: the caller may answer 503
   * rather than 401, and should log {@link #getCause()}.
   */
  public boolean identityProviderUnavailable() {
    return identityProviderUnavailable;
  }
}
