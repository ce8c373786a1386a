package dev.floe.auth;

import dev.floe.config.AuthConfig;
import dev.floe.error.ErrorCode;
import dev.floe.error.FloeException;
import dev.floe.workload.Caller;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * Turns an {@code Authorization} header into a {@link Caller}: a Floe API key, or a JWT from the
 * configured identity provider. Every refusal is 401 UNAUTHENTICATED with one sentence that says
 * what to send instead, and never says whether a guessed key exists.
 */
@Singleton
public class Authenticator {
  private static final Logger LOG = Logger.getLogger(Authenticator.class);
  private static final String BEARER = "bearer ";

  private final AuthConfig config;
  private final ApiKeys keys;
  private final Grants grants;
  private final Clock clock;
  private final JwtVerifier jwt;

  public Authenticator(AuthConfig config, ApiKeys keys, Grants grants, Clock clock) {
    this.config = config;
    this.keys = keys;
    this.grants = grants;
    this.clock = clock;
    AuthConfig.Oidc oidc = config.oidc();
    this.jwt =
        oidc.issuer()
            .map(
                issuer ->
                    new JwtVerifier(
                        new JwtVerifier.Settings(
                            issuer,
                            oidc.audience().orElse(null),
                            oidc.jwksUrl().orElse(null),
                            oidc.principalClaim(),
                            oidc.groupsClaim(),
                            oidc.clockSkew())))
            .orElse(null);
    if (jwt != null && oidc.audience().isEmpty()) {
      LOG.warnf(
          "floe.auth.oidc.audience is not set: any token of %s is accepted, including tokens it"
              + " issued for other services; set the audience Floe's tokens are issued for.",
          oidc.issuer().get());
    }
    if (jwt != null) {
      LOG.infof(
          "Accepting OIDC tokens issued by %s%s",
          oidc.issuer().get(), oidc.audience().map(a -> " for audience " + a).orElse(""));
    }
  }

  /** The caller an {@code Authorization} header proves; UNAUTHENTICATED if it proves none. */
  public Caller authenticate(String authorization) {
    if (!config.enabled()) {
      return Caller.UNAUTHENTICATED_ADMIN;
    }
    if (authorization == null || authorization.isBlank()) {
      throw refused(
          "This request has no API key; send Authorization: Bearer <key> (the CLI and the SDK"
              + " read it from FLOE_API_KEY; an admin creates keys with floe keys create).");
    }
    if (!authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      throw refused(
          "The Authorization header is not a bearer token; send Authorization: Bearer <key>.");
    }
    String token = authorization.substring(BEARER.length()).strip();
    if (JwtVerifier.looksLikeJwt(token)) {
      return fromJwt(token);
    }
    return fromKey(token);
  }

  /**
   * Null while the key is still good; else why the run it submitted may go no further: it was
   * revoked or expired since the request was accepted.
   */
  private FloeException standing(String name) {
    ApiKeys.ApiKey key = keys.named(name);
    if (key == null) {
      return refused("The API key that submitted this run no longer exists; nothing was saved.");
    }
    return dead(key, true);
  }

  private Caller fromKey(String secret) {
    ApiKeys.ApiKey key = secret.startsWith(ApiKeys.PREFIX) ? keys.find(secret) : null;
    if (key == null) {
      throw refused(
          "The API key is not valid; check FLOE_API_KEY (or --api-key), or ask an admin for a"
              + " key.");
    }
    FloeException dead = dead(key, false);
    if (dead != null) {
      throw dead;
    }
    String name = key.name();
    return caller(key.principal(), key.groups(), "key:" + name, () -> standing(name), true);
  }

  /**
   * Null for an active key; else the refusal of a revoked or expired one: of this request, or
   * ({@code runGoingOn}) of the run the key submitted earlier.
   */
  private FloeException dead(ApiKeys.ApiKey key, boolean runGoingOn) {
    String status = key.status(clock.instant());
    if (status.equals("active")) {
      return null;
    }
    boolean revoked = status.equals("revoked");
    return refused(
        "The API key '"
            + key.name()
            + (revoked ? "' was revoked" : "' expired")
            + (runGoingOn
                ? " while this run waited or ran; nothing was saved. Ask an admin for a new key."
                : " at "
                    + (revoked ? key.revokedAt() : key.expiresAt())
                    + "; ask an admin for a new one."));
  }

  private Caller fromJwt(String token) {
    if (jwt == null) {
      throw refused(
          "The bearer token is a JWT, but this Floe accepts no identity provider's tokens"
              + " (floe.auth.oidc.issuer is not set); send a Floe API key.");
    }
    try {
      JwtVerifier.Identity identity = jwt.verify(token);
      // A token cannot be revoked; its run, accepted while it was valid, goes to its end.
      return caller(
          identity.principal(),
          identity.groups(),
          "jwt:" + identity.issuer(),
          Caller.Standing.PERMANENT,
          false);
    } catch (InvalidTokenException e) {
      throw refused("The bearer token was refused: " + e.getMessage().replaceAll("\\.$", "") + ".");
    }
  }

  /**
   * The caller a credential proves. Admins are the admin principals' keys and the admin groups'
   * members; a token is admin only through its groups, so an identity provider's user who happens
   * to be called "admin" is not.
   */
  private Caller caller(
      String principal,
      Set<String> groups,
      String credential,
      Caller.Standing standing,
      boolean isKey) {
    List<String> adminGroups = config.adminGroups().orElse(List.of());
    boolean admin =
        (isKey && config.adminPrincipals().contains(principal))
            || groups.stream().anyMatch(adminGroups::contains);
    return new Caller(
        principal, groups, admin, credential, grants.reachOf(principal, groups, admin), standing);
  }

  private static FloeException refused(String message) {
    return new FloeException(ErrorCode.UNAUTHENTICATED, message);
  }
}
