package dev.floe.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.JWKSetCacheRefreshEvaluator;
import com.nimbusds.jose.jwk.source.JWKSetParseException;
import com.nimbusds.jose.jwk.source.JWKSetSource;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.jwk.source.RateLimitReachedException;
import com.nimbusds.jose.jwk.source.URLBasedJWKSetSource;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.BadJWSException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jose.util.Resource;
import com.nimbusds.jose.util.ResourceRetriever;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.text.ParseException;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * The identity provider's signing keys: the JWKS URL configured or found by OIDC discovery (a
 * failed discovery is not retried for a while), fetched over http(s) with timeouts, cached, fetched
 * again (rate-limited) for an unknown key id, and kept through an outage; and a token's signature
 * checked against them, saying whether a refusal is the token's fault or the IdP's.
 */
final class IdpKeys {
  /** Connect and read timeout of each request to the IdP. */
  static final Duration HTTP_TIMEOUT = Duration.ofSeconds(5);

  /** After a failed discovery, tokens are refused without asking the IdP again for this long. */
  static final Duration DISCOVERY_RETRY_INTERVAL = Duration.ofSeconds(5);

  /** The JWKS is fetched again after this long (and at once, rate-limited, on an unknown key). */
  static final Duration JWKS_CACHE_TTL = Duration.ofMinutes(5);

  private static final int MAX_DOCUMENT_BYTES = 256 * 1024;
  private static final String DISCOVERY_PATH = "/.well-known/openid-configuration";
  private static final String IDP_UNREACHABLE = "the identity provider could not be reached";
  private static final String NOT_OUR_KEY =
      "the token is not signed by one of the identity provider's keys";

  private final String issuer;
  private final ResourceRetriever retriever;
  private final Duration discoveryRetryInterval;

  private final Object discoveryLock = new Object();
  private volatile Keys keys; // null until the JWKS URL is known
  private InvalidTokenException discoveryFailure; // guarded by discoveryLock
  private long discoveryFailedAtNanos; // guarded by discoveryLock

  /**
   * @param jwksUrl the keys' URL, or null to discover it from the issuer
   */
  IdpKeys(String issuer, String jwksUrl, Duration httpTimeout, Duration discoveryRetryInterval) {
    this.issuer = issuer;
    int timeoutMillis = Math.toIntExact(httpTimeout.toMillis());
    this.retriever = new DefaultResourceRetriever(timeoutMillis, timeoutMillis, MAX_DOCUMENT_BYTES);
    this.discoveryRetryInterval = discoveryRetryInterval;
    if (jwksUrl != null) {
      this.keys = keysAt(httpUrl(jwksUrl, "jwksUrl"));
    }
  }

  /** Checks the token's signature by one of the IdP's keys, fetching them when needed. */
  void checkSignature(SignedJWT signed) {
    Keys k = keys();
    try {
      k.processor().process(signed, null);
    } catch (BadJWSException e) {
      throw new InvalidTokenException("the token's signature does not verify");
    } catch (RateLimitReachedException e) {
      // No key matched and the keys were fetched twice in the last 30 s.
      if (k.fetches().lastFailed()) {
        throw new InvalidTokenException(IDP_UNREACHABLE, e, true);
      }
      throw new InvalidTokenException(NOT_OUR_KEY);
    } catch (BadJOSEException e) {
      // No published key matches (kid, key type), even after fetching the keys again.
      if (k.fetches().lastFailed()) {
        throw new InvalidTokenException(
            "the token's signing key is not among the identity provider's known keys, and the"
                + " identity provider could not be reached to refresh them",
            e,
            true);
      }
      throw new InvalidTokenException(NOT_OUR_KEY);
    } catch (JWKSetParseException e) {
      throw new InvalidTokenException(
          "the identity provider's keys (JWKS) could not be read", e, true);
    } catch (KeySourceException e) {
      throw new InvalidTokenException(IDP_UNREACHABLE, e, true);
    } catch (JOSEException e) {
      throw new InvalidTokenException("the token's signature could not be checked", e, false);
    }
  }

  /** The processor over the IdP's keys; on first use, after discovering the JWKS URL. */
  private Keys keys() {
    Keys k = keys;
    if (k != null) {
      return k;
    }
    synchronized (discoveryLock) {
      if (keys != null) {
        return keys;
      }
      if (discoveryFailure != null
          && System.nanoTime() - discoveryFailedAtNanos < discoveryRetryInterval.toNanos()) {
        throw new InvalidTokenException(
            discoveryFailure.getMessage(), discoveryFailure.getCause(), true);
      }
      try {
        keys = keysAt(discoverJwksUrl());
        discoveryFailure = null;
        return keys;
      } catch (InvalidTokenException e) {
        discoveryFailure = e;
        discoveryFailedAtNanos = System.nanoTime();
        throw e;
      }
    }
  }

  private URL discoverJwksUrl() {
    URL url = httpUrl(discoveryUrl(issuer), "issuer");
    Resource document;
    try {
      document = retriever.retrieveResource(url);
    } catch (IOException e) {
      throw new InvalidTokenException(
          IDP_UNREACHABLE, new IOException("GET " + url + ": " + e.getMessage(), e), true);
    }
    Map<String, Object> json;
    try {
      json = JSONObjectUtils.parse(document.getContent());
    } catch (ParseException e) {
      throw unusableDiscovery(url + " is not a JSON object", e);
    }
    Object named = json.get("issuer");
    if (!issuer.equals(named)) {
      throw unusableDiscovery(
          url + " names the issuer " + named + ", not the configured " + issuer, null);
    }
    if (!(json.get("jwks_uri") instanceof String jwksUri)) {
      throw unusableDiscovery(url + " has no jwks_uri", null);
    }
    try {
      return httpUrl(jwksUri, "jwks_uri");
    } catch (IllegalArgumentException e) {
      throw unusableDiscovery(url + ": " + e.getMessage(), null);
    }
  }

  private static InvalidTokenException unusableDiscovery(String detail, Throwable cause) {
    return new InvalidTokenException(
        "the identity provider's discovery document could not be used",
        new IllegalStateException(detail, cause),
        true);
  }

  private Keys keysAt(URL jwksUrl) {
    FetchOutcomes fetches = new FetchOutcomes(new URLBasedJWKSetSource<>(jwksUrl, retriever));
    JWKSource<SecurityContext> source =
        JWKSourceBuilder.create(fetches)
            .cache(JWKS_CACHE_TTL.toMillis(), JWKSourceBuilder.DEFAULT_CACHE_REFRESH_TIMEOUT)
            // Refresh-ahead would start a (non-daemon) thread; a refresh on expiry is enough.
            .refreshAheadCache(false)
            // At most two fetches per 30 s: tokens with made-up key ids cannot hammer the IdP.
            .rateLimited(true)
            // While the IdP is down, keep using the last keys (for ten times the cache TTL).
            .outageTolerant(true)
            .build();
    DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
    processor.setJWSTypeVerifier((type, context) -> {}); // checkType() ran before
    processor.setJWSKeySelector(
        new JWSVerificationKeySelector<>(JwtVerifier.ACCEPTED_ALGORITHMS, source));
    processor.setJWTClaimsSetVerifier(null); // checkClaims() ran before, on the same claims
    return new Keys(processor, fetches);
  }

  private record Keys(DefaultJWTProcessor<SecurityContext> processor, FetchOutcomes fetches) {}

  /** The JWKS URL's source, remembering whether its last fetch failed. */
  private static final class FetchOutcomes implements JWKSetSource<SecurityContext> {
    private final JWKSetSource<SecurityContext> delegate;
    private volatile boolean lastFailed;

    FetchOutcomes(JWKSetSource<SecurityContext> delegate) {
      this.delegate = delegate;
    }

    boolean lastFailed() {
      return lastFailed;
    }

    @Override
    public JWKSet getJWKSet(
        JWKSetCacheRefreshEvaluator refreshEvaluator, long currentTime, SecurityContext context)
        throws KeySourceException {
      try {
        JWKSet set = delegate.getJWKSet(refreshEvaluator, currentTime, context);
        lastFailed = false;
        return set;
      } catch (KeySourceException e) {
        lastFailed = true;
        throw e;
      }
    }

    @Override
    public void close() throws IOException {
      delegate.close();
    }
  }

  static String discoveryUrl(String issuer) {
    String base = issuer;
    while (base.endsWith("/")) {
      base = base.substring(0, base.length() - 1);
    }
    return base + DISCOVERY_PATH;
  }

  static URL httpUrl(String value, String what) {
    try {
      URI uri = new URI(value);
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if (!scheme.equals("https") && !scheme.equals("http") || uri.getHost() == null) {
        throw new IllegalArgumentException(what + " must be an http(s) URL: " + value);
      }
      return uri.toURL();
    } catch (URISyntaxException | MalformedURLException e) {
      throw new IllegalArgumentException(what + " must be an http(s) URL: " + value, e);
    }
  }
}
