package dev.floe.auth;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jwt.EncryptedJWT;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Verifies OIDC/JWT access tokens from the platform's identity provider (IdP): an asymmetric
 * signature by one of the IdP's published keys (its JWKS, fetched over HTTP(S) and cached), the
 * exact issuer, the audience (when configured), the token's lifetime, and a principal claim.
 *
 * <p>Nothing is fetched at construction: the discovery document (when no JWKS URL is configured)
 * and the keys are fetched on the first token, so the service starts while the IdP is down; a token
 * arriving while the IdP cannot be reached is refused with a reason that says so. The claims are
 * checked before the signature (both must pass): a token from another issuer, or an expired one, is
 * refused without a key fetch and with the more useful reason.
 *
 * <p>Thread-safe. No CDI: the caller builds one per configured IdP and keeps it.
 */
public final class JwtVerifier {

  /**
   * Issuer: the exact {@code iss}. Audience: required in {@code aud} ({@code null}: not checked).
   * JWKS URL: {@code null} discovers it from {@code issuer + "/.well-known/openid-configuration"}
   * (its {@code jwks_uri}). Principal claim: {@code null} means {@code sub} (could be {@code
   * preferred_username} or {@code email}). Groups claim: {@code null} means {@code groups} (a JSON
   * array of strings or a single string; missing means no groups). Clock skew: {@code null} means
   * 60 s.
   */
  public record Settings(
      String issuer,
      String audience,
      String jwksUrl,
      String principalClaim,
      String groupsClaim,
      Duration clockSkew) {

    public Settings {
      requireText(issuer, "issuer");
      if (audience != null) {
        requireText(audience, "audience");
      }
      if (jwksUrl != null) {
        IdpKeys.httpUrl(jwksUrl, "jwksUrl");
      } else {
        IdpKeys.httpUrl(IdpKeys.discoveryUrl(issuer), "issuer (the discovery document's base)");
      }
      principalClaim =
          principalClaim == null ? "sub" : requireText(principalClaim, "principalClaim");
      groupsClaim = groupsClaim == null ? "groups" : requireText(groupsClaim, "groupsClaim");
      clockSkew = clockSkew == null ? Duration.ofSeconds(60) : clockSkew;
      if (clockSkew.isNegative()) {
        throw new IllegalArgumentException("clockSkew must not be negative: " + clockSkew);
      }
    }

    /**
     * The issuer's settings with the defaults: discovered JWKS, {@code sub}, {@code groups}, 60 s.
     */
    public static Settings of(String issuer, String audience) {
      return new Settings(issuer, audience, null, null, null, null);
    }
  }

  /** What a valid token says. {@code groups} is unmodifiable, in the token's order. */
  public record Identity(String principal, Set<String> groups, Instant expiresAt, String issuer) {}

  /** The accepted signature algorithms: asymmetric only (no {@code none}, no HMAC). */
  static final Set<JWSAlgorithm> ACCEPTED_ALGORITHMS =
      Set.of(
          JWSAlgorithm.RS256,
          JWSAlgorithm.RS384,
          JWSAlgorithm.RS512,
          JWSAlgorithm.PS256,
          JWSAlgorithm.PS384,
          JWSAlgorithm.PS512,
          JWSAlgorithm.ES256,
          JWSAlgorithm.ES384,
          JWSAlgorithm.ES512);

  /** Longer tokens are refused before parsing. */
  static final int MAX_TOKEN_CHARS = 32 * 1024;

  private final Settings settings;
  private final IdpKeys keys;

  public JwtVerifier(Settings settings) {
    this(settings, IdpKeys.HTTP_TIMEOUT, IdpKeys.DISCOVERY_RETRY_INTERVAL);
  }

  /** With other timings, for tests. */
  JwtVerifier(Settings settings, Duration httpTimeout, Duration discoveryRetryInterval) {
    this.settings = settings;
    this.keys =
        new IdpKeys(settings.issuer(), settings.jwksUrl(), httpTimeout, discoveryRetryInterval);
  }

  public Settings settings() {
    return settings;
  }

  /**
   * True if the token looks like a JWT (three base64url parts, the first a JSON object), so the
   * caller tries this verifier and not API keys. The third part may be empty: an unsigned ({@code
   * alg: none}) token still looks like a JWT, and {@link #verify} refuses it with the reason.
   */
  public static boolean looksLikeJwt(String token) {
    if (token == null) {
      return false;
    }
    int first = token.indexOf('.');
    int second = first < 0 ? -1 : token.indexOf('.', first + 1);
    if (first <= 0 || second <= first + 1 || token.indexOf('.', second + 1) >= 0) {
      return false;
    }
    for (int i = 0; i < token.length(); i++) {
      char c = token.charAt(i);
      boolean base64url =
          (c >= 'A' && c <= 'Z')
              || (c >= 'a' && c <= 'z')
              || (c >= '0' && c <= '9')
              || c == '-'
              || c == '_'
              || c == '.';
      if (!base64url) {
        return false;
      }
    }
    try {
      String header =
          new String(
              Base64.getUrlDecoder().decode(token.substring(0, first)), StandardCharsets.UTF_8);
      return header.strip().startsWith("{");
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /**
   * The identity of a valid token.
   *
   * @throws InvalidTokenException with a short reason safe to show the client
   */
  public Identity verify(String token) {
    if (token == null || token.isBlank()) {
      throw new InvalidTokenException("no token was given");
    }
    if (token.length() > MAX_TOKEN_CHARS) {
      throw new InvalidTokenException("the token is too large");
    }
    JWT jwt;
    try {
      jwt = JWTParser.parse(token);
    } catch (ParseException e) {
      throw new InvalidTokenException("the token is not a well-formed JWT");
    }
    if (jwt instanceof PlainJWT) {
      throw new InvalidTokenException("the token is not signed (alg: none)");
    }
    if (jwt instanceof EncryptedJWT || !(jwt instanceof SignedJWT signed)) {
      throw new InvalidTokenException("encrypted tokens are not accepted");
    }
    JWSAlgorithm algorithm = signed.getHeader().getAlgorithm();
    if (!ACCEPTED_ALGORITHMS.contains(algorithm)) {
      throw new InvalidTokenException(
          "the token is signed with "
              + TokenValues.printable(algorithm.getName())
              + "; only RS256/384/512, PS256/384/512 and ES256/384/512 signatures are accepted");
    }
    checkType(signed.getHeader().getType());
    JWTClaimsSet claims;
    try {
      claims = signed.getJWTClaimsSet();
    } catch (ParseException e) {
      // Not a JSON object, or a registered claim (iss, sub, aud, exp, nbf, iat, jti) of the wrong
      // type; nimbus reads a number in sub as its digits.
      throw new InvalidTokenException("the token's claims are malformed");
    }
    Identity identity = checkClaims(claims, Instant.now());
    keys.checkSignature(signed);
    return identity;
  }

  /** Access tokens say {@code JWT} or {@code at+jwt} (RFC 9068), or nothing. */
  private static void checkType(JOSEObjectType type) {
    if (type == null) {
      return;
    }
    String t = type.getType().toLowerCase(Locale.ROOT);
    if (t.startsWith("application/")) {
      t = t.substring("application/".length());
    }
    if (!t.equals("jwt") && !t.equals("at+jwt")) {
      throw new InvalidTokenException(
          "the token's type (typ) is "
              + TokenValues.printable(type.getType())
              + ", not an access token");
    }
  }

  private Identity checkClaims(JWTClaimsSet claims, Instant now) {
    Object issuer = claims.getClaim("iss");
    if (issuer == null) {
      throw new InvalidTokenException("the token names no issuer (iss)");
    }
    if (!settings.issuer().equals(issuer)) {
      throw new InvalidTokenException(
          "the token was issued by "
              + TokenValues.printable(issuer)
              + ", not by "
              + settings.issuer());
    }

    if (settings.audience() != null) {
      Object aud = claims.getClaim("aud");
      if (aud == null) {
        throw new InvalidTokenException(
            "the token names no audience (aud); it must include " + settings.audience());
      }
      List<String> audiences = TokenValues.stringOrStrings(aud);
      if (audiences == null) {
        throw new InvalidTokenException(
            "the token's audience (aud) is neither a string nor a list of strings");
      }
      if (!audiences.contains(settings.audience())) {
        throw new InvalidTokenException(
            "the token is for "
                + TokenValues.printable(String.join(", ", audiences))
                + ", not for "
                + settings.audience());
      }
    }

    Duration skew = settings.clockSkew();
    Instant expiresAt = TokenValues.time(claims, "exp");
    if (expiresAt == null) {
      throw new InvalidTokenException("the token has no expiry time (exp)");
    }
    if (now.isAfter(expiresAt.plus(skew))) {
      throw new InvalidTokenException("the token has expired");
    }
    Instant notBefore = TokenValues.time(claims, "nbf");
    if (notBefore != null && notBefore.isAfter(now.plus(skew))) {
      throw new InvalidTokenException("the token is not valid yet (nbf)");
    }
    Instant issuedAt = TokenValues.time(claims, "iat");
    if (issuedAt != null && issuedAt.isAfter(now.plus(skew))) {
      throw new InvalidTokenException("the token's issue time (iat) is in the future");
    }

    String principalClaim = settings.principalClaim();
    Object principal = claims.getClaim(principalClaim);
    if (principal == null) {
      throw new InvalidTokenException("the token has no " + principalClaim + " claim");
    }
    if (!(principal instanceof String p) || p.isBlank()) {
      throw new InvalidTokenException(
          "the token's " + principalClaim + " claim is not a non-empty string");
    }

    Object groupsValue = claims.getClaim(settings.groupsClaim());
    List<String> groups =
        groupsValue == null ? List.of() : TokenValues.stringOrStrings(groupsValue);
    if (groups == null) {
      throw new InvalidTokenException(
          "the token's "
              + settings.groupsClaim()
              + " claim is neither a string nor a list of strings");
    }
    return new Identity(
        p, Collections.unmodifiableSet(new LinkedHashSet<>(groups)), expiresAt, settings.issuer());
  }

  private static String requireText(String value, String what) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(what + " must not be blank");
    }
    return value;
  }
}
