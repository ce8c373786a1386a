package dev.floe.testing;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in OIDC identity provider for tests: a real HTTP server on 127.0.0.1 (a free port) that
 * serves {@code <issuer>/.well-known/openid-configuration} and {@code <issuer>/jwks}, holds an RSA
 * signing key (and an EC P-256 key, also published), can rotate to a new RSA key, and mints tokens
 * — valid ones with {@link #token(String, List, Duration)}, forged or broken ones with {@link
 * #newToken()}'s knobs. The issuer has a path ({@code /realms/floe}), as Keycloak's do.
 *
 * <pre>{@code
 * try (var idp = new TestIdentityProvider().start()) {
 *   String token = idp.token("alice", List.of("analysts"), Duration.ofMinutes(5));
 *   String forged = idp.newToken().subject("alice").signedByUnknownKey().mint();
 * }
 * }</pre>
 */
public final class TestIdentityProvider implements AutoCloseable {
  public static final String DEFAULT_AUDIENCE = "floe";
  private static final String REALM_PATH = "/realms/floe";

  private final String audience;
  private final List<RSAKey> publishedRsaKeys = new ArrayList<>(); // guarded by this
  private RSAKey signingKey; // guarded by this
  private final ECKey ecKey;
  private final RSAKey unknownKey; // never published
  private final AtomicInteger requests = new AtomicInteger();
  private final AtomicInteger discoveryRequests = new AtomicInteger();
  private final AtomicInteger jwksRequests = new AtomicInteger();
  private volatile boolean available = true;
  private HttpServer server;

  public TestIdentityProvider() {
    this(DEFAULT_AUDIENCE);
  }

  /**
   * @param audience the {@code aud} of minted tokens, unless a token says otherwise
   */
  public TestIdentityProvider(String audience) {
    this.audience = audience;
    this.signingKey = newRsaKey();
    this.publishedRsaKeys.add(signingKey);
    this.unknownKey = newRsaKey();
    try {
      this.ecKey =
          new ECKeyGenerator(Curve.P_256)
              .keyUse(KeyUse.SIGNATURE)
              .keyID("ec-" + UUID.randomUUID())
              .generate();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Starts serving on 127.0.0.1 and a free port. */
  public synchronized TestIdentityProvider start() {
    if (server != null) {
      return this;
    }
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.createContext("/", this::handle);
    server.start();
    return this;
  }

  /** Stops serving; afterwards the port refuses connections (an unreachable IdP). */
  public synchronized void stop() {
    if (server != null) {
      server.stop(0);
    }
  }

  @Override
  public void close() {
    stop();
  }

  /** {@code http://127.0.0.1:<port>/realms/floe}. */
  public synchronized String issuer() {
    if (server == null) {
      throw new IllegalStateException("the identity provider has not been started");
    }
    return "http://127.0.0.1:" + server.getAddress().getPort() + REALM_PATH;
  }

  public String audience() {
    return audience;
  }

  public String jwksUrl() {
    return issuer() + "/jwks";
  }

  /** When false, every request is answered 503 (the IdP is up but failing). */
  public void available(boolean available) {
    this.available = available;
  }

  /** All requests so far, answered or not. */
  public int requests() {
    return requests.get();
  }

  public int discoveryRequests() {
    return discoveryRequests.get();
  }

  public int jwksRequests() {
    return jwksRequests.get();
  }

  /** The current RSA signing key's id. */
  public synchronized String keyId() {
    return signingKey.getKeyID();
  }

  /**
   * Signs with a new RSA key from now on; the JWKS publishes it next to the old ones (as IdPs do
   * during a rotation). Returns the new key's id.
   */
  public synchronized String rotateKey() {
    signingKey = newRsaKey();
    publishedRsaKeys.add(signingKey);
    return signingKey.getKeyID();
  }

  /** Publishes only the current RSA signing key (and the EC key) from now on. */
  public synchronized void retireOldKeys() {
    publishedRsaKeys.retainAll(List.of(signingKey));
  }

  /** A valid token: the issuer, audience {@link #audience()}, now to now + validFor. */
  public String token(String subject, List<String> groups, Duration validFor) {
    return newToken().subject(subject).groups(groups).validFor(validFor).mint();
  }

  /** A token to shape: by default valid (as {@link #token}) for subject "alice", no groups. */
  public TokenBuilder newToken() {
    return new TokenBuilder();
  }

  /** How a minted token is signed. */
  public enum Signing {
    /** RS256 (or {@link TokenBuilder#algorithm}) with the current published RSA key. */
    PUBLISHED_RSA,
    /** ES256 with the published EC key. */
    PUBLISHED_EC,
    /** RS256 with an RSA key that is not in the JWKS (its own kid unless {@code keyId} is set). */
    UNKNOWN_KEY,
    /** {@code alg: none}, no signature. */
    NONE,
    /** HS256 with the published RSA public key's (X.509 DER) bytes as the HMAC secret. */
    HS256_WITH_PUBLIC_KEY
  }

  /** One token's claims and signing; {@link #mint()} makes it. */
  public final class TokenBuilder {
    private final Map<String, Object> claims = new LinkedHashMap<>();
    private Signing signing = Signing.PUBLISHED_RSA;
    private JWSAlgorithm rsaAlgorithm = JWSAlgorithm.RS256;
    private String keyId;
    private boolean omitKeyId;
    private JOSEObjectType type = JOSEObjectType.JWT;
    private boolean embedJwk;

    private TokenBuilder() {
      Instant now = Instant.now();
      claims.put("iss", TestIdentityProvider.this.issuer());
      claims.put("aud", audience);
      claims.put("sub", "alice");
      claims.put("iat", now.getEpochSecond());
      claims.put("exp", now.plus(Duration.ofMinutes(5)).getEpochSecond());
      claims.put("jti", UUID.randomUUID().toString());
    }

    public TokenBuilder subject(String subject) {
      return claim("sub", subject);
    }

    public TokenBuilder noSubject() {
      return claim("sub", null);
    }

    /** The {@code groups} claim as a JSON array. */
    public TokenBuilder groups(List<String> groups) {
      return claim("groups", groups);
    }

    /** Any claim, any JSON value ({@code null} removes it). */
    public TokenBuilder claim(String name, Object value) {
      if (value == null) {
        claims.remove(name);
      } else {
        claims.put(name, value);
      }
      return this;
    }

    public TokenBuilder issuer(String issuer) {
      return claim("iss", issuer);
    }

    /** One audience as a string; several as an array; none removes {@code aud}. */
    public TokenBuilder audience(String... audiences) {
      return claim(
          "aud",
          audiences.length == 0 ? null : audiences.length == 1 ? audiences[0] : List.of(audiences));
    }

    public TokenBuilder validFor(Duration validFor) {
      return expiresAt(Instant.now().plus(validFor));
    }

    public TokenBuilder expiresAt(Instant expiresAt) {
      return claim("exp", expiresAt.getEpochSecond());
    }

    public TokenBuilder noExpiry() {
      return claim("exp", null);
    }

    public TokenBuilder notBefore(Instant notBefore) {
      return claim("nbf", notBefore.getEpochSecond());
    }

    public TokenBuilder issuedAt(Instant issuedAt) {
      return claim("iat", issuedAt.getEpochSecond());
    }

    public TokenBuilder signing(Signing signing) {
      this.signing = signing;
      return this;
    }

    public TokenBuilder signedByUnknownKey() {
      return signing(Signing.UNKNOWN_KEY);
    }

    public TokenBuilder algNone() {
      return signing(Signing.NONE);
    }

    public TokenBuilder hs256WithPublicKey() {
      return signing(Signing.HS256_WITH_PUBLIC_KEY);
    }

    public TokenBuilder es256() {
      return signing(Signing.PUBLISHED_EC);
    }

    /** The RSA algorithm: RS256/384/512 or PS256/384/512. */
    public TokenBuilder algorithm(JWSAlgorithm algorithm) {
      this.rsaAlgorithm = algorithm;
      return this;
    }

    /** The header's {@code kid}, whatever key signs (e.g. an unknown key claiming a known kid). */
    public TokenBuilder keyId(String keyId) {
      this.keyId = keyId;
      return this;
    }

    public TokenBuilder noKeyId() {
      this.omitKeyId = true;
      return this;
    }

    /** The header's {@code typ} ({@code null}: none). */
    public TokenBuilder type(String type) {
      this.type = type == null ? null : new JOSEObjectType(type);
      return this;
    }

    /** Puts the signing key's public half in the header's {@code jwk} (to be ignored). */
    public TokenBuilder embedJwk() {
      this.embedJwk = true;
      return this;
    }

    public String mint() {
      // The claims as given, unchecked: a test may want a malformed one.
      JWTClaimsSet.Builder builder = new JWTClaimsSet.Builder();
      claims.forEach(builder::claim);
      JWTClaimsSet claimsSet = builder.build();
      try {
        return switch (signing) {
          case NONE -> new PlainJWT(claimsSet).serialize();
          case HS256_WITH_PUBLIC_KEY -> {
            RSAKey published = currentKey();
            yield sign(
                JWSAlgorithm.HS256,
                published,
                new MACSigner(published.toRSAPublicKey().getEncoded()),
                claimsSet);
          }
          case PUBLISHED_EC -> sign(JWSAlgorithm.ES256, ecKey, new ECDSASigner(ecKey), claimsSet);
          case UNKNOWN_KEY ->
              sign(rsaAlgorithm, unknownKey, new RSASSASigner(unknownKey), claimsSet);
          case PUBLISHED_RSA -> {
            RSAKey key = currentKey();
            yield sign(rsaAlgorithm, key, new RSASSASigner(key), claimsSet);
          }
        };
      } catch (JOSEException e) {
        throw new IllegalStateException(e);
      }
    }

    private String sign(JWSAlgorithm algorithm, JWK key, JWSSigner signer, JWTClaimsSet claimsSet)
        throws JOSEException {
      JWSHeader.Builder header = new JWSHeader.Builder(algorithm).type(type);
      if (!omitKeyId) {
        header.keyID(keyId != null ? keyId : key.getKeyID());
      }
      if (embedJwk) {
        header.jwk(key.toPublicJWK());
      }
      SignedJWT jwt = new SignedJWT(header.build(), claimsSet);
      jwt.sign(signer);
      return jwt.serialize();
    }
  }

  private synchronized RSAKey currentKey() {
    return signingKey;
  }

  private synchronized String jwks() {
    List<JWK> keys = new ArrayList<>();
    for (RSAKey key : publishedRsaKeys) {
      keys.add(key.toPublicJWK());
    }
    keys.add(ecKey.toPublicJWK());
    return new JWKSet(keys).toString(true);
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      requests.incrementAndGet();
      String path = exchange.getRequestURI().getPath();
      if (!available) {
        respond(exchange, 503, "{\"error\":\"unavailable\"}");
      } else if (path.equals(REALM_PATH + "/.well-known/openid-configuration")) {
        discoveryRequests.incrementAndGet();
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("issuer", issuer());
        document.put("jwks_uri", jwksUrl());
        document.put("authorization_endpoint", issuer() + "/protocol/openid-connect/auth");
        document.put("token_endpoint", issuer() + "/protocol/openid-connect/token");
        document.put("id_token_signing_alg_values_supported", List.of("RS256", "ES256"));
        respond(exchange, 200, JSONObjectUtils.toJSONString(document));
      } else if (path.equals(REALM_PATH + "/jwks")) {
        jwksRequests.incrementAndGet();
        respond(exchange, 200, jwks());
      } else {
        respond(exchange, 404, "{\"error\":\"not found\"}");
      }
    }
  }

  private static void respond(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static RSAKey newRsaKey() {
    try {
      return new RSAKeyGenerator(2048)
          .keyUse(KeyUse.SIGNATURE)
          .keyID("rsa-" + UUID.randomUUID())
          .generate();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }
}
