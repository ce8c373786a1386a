package dev.floe.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.EncryptionMethod;
import com.nimbusds.jose.JWEAlgorithm;
import com.nimbusds.jose.JWEHeader;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.RSAEncrypter;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.EncryptedJWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.floe.auth.JwtVerifier.Identity;
import dev.floe.auth.JwtVerifier.Settings;
import dev.floe.testing.TestIdentityProvider;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class JwtVerifierTest {
  private static final String NOT_OUR_KEY =
      "the token is not signed by one of the identity provider's keys";
  private static final String MALFORMED_CLAIMS = "the token's claims are malformed";
  private static final String UNREACHABLE = "the identity provider could not be reached";

  /** Shared by the tests that do not rotate its keys, stop it or count its requests. */
  private static TestIdentityProvider idp;

  @BeforeAll
  static void startIdentityProvider() {
    idp = new TestIdentityProvider().start();
  }

  @AfterAll
  static void stopIdentityProvider() {
    idp.stop();
  }

  private static JwtVerifier verifier(TestIdentityProvider provider) {
    return new JwtVerifier(Settings.of(provider.issuer(), provider.audience()));
  }

  private static InvalidTokenException refused(JwtVerifier verifier, String token) {
    return assertThrows(InvalidTokenException.class, () -> verifier.verify(token));
  }

  private static void assertRefused(String token, String reason) {
    InvalidTokenException e = refused(verifier(idp), token);
    assertEquals(reason, e.getMessage());
    assertFalse(e.identityProviderUnavailable(), "not the IdP's fault: " + reason);
  }

  // --- valid tokens ---

  @Test
  void aValidTokenGivesItsPrincipalGroupsAndExpiry() {
    Instant before = Instant.now();
    String token = idp.token("alice", List.of("analysts", "admins"), Duration.ofMinutes(10));

    Identity identity = verifier(idp).verify(token);

    assertEquals("alice", identity.principal());
    assertEquals(List.of("analysts", "admins"), List.copyOf(identity.groups()));
    assertEquals(idp.issuer(), identity.issuer());
    Instant expected = before.plus(Duration.ofMinutes(10));
    assertTrue(
        Duration.between(identity.expiresAt(), expected).abs().getSeconds() <= 2,
        identity.expiresAt() + " vs " + expected);
    assertThrows(UnsupportedOperationException.class, () -> identity.groups().add("root"));
  }

  @Test
  void aSingleStringGroupsClaimIsOneGroup() {
    String token = idp.newToken().subject("bob").claim("groups", "analysts").mint();
    assertEquals(Set.of("analysts"), verifier(idp).verify(token).groups());
  }

  @Test
  void noGroupsClaimMeansNoGroups() {
    String token = idp.newToken().subject("bob").mint();
    assertEquals(Set.of(), verifier(idp).verify(token).groups());
  }

  @Test
  void aCustomPrincipalClaimAndGroupsClaim() {
    JwtVerifier verifier =
        new JwtVerifier(
            new Settings(idp.issuer(), "floe", null, "preferred_username", "roles", null));
    String token =
        idp.newToken()
            .subject("0b7c3e2a-uuid")
            .claim("preferred_username", "alice.smith")
            .claim("roles", List.of("reader"))
            .groups(List.of("ignored"))
            .mint();

    Identity identity = verifier.verify(token);

    assertEquals("alice.smith", identity.principal());
    assertEquals(Set.of("reader"), identity.groups());
    InvalidTokenException e = refused(verifier, idp.newToken().subject("0b7c3e2a-uuid").mint());
    assertEquals("the token has no preferred_username claim", e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512"})
  void rsaSignaturesAreAccepted(String algorithm) {
    String token = idp.newToken().algorithm(JWSAlgorithm.parse(algorithm)).mint();
    assertEquals("alice", verifier(idp).verify(token).principal());
  }

  @Test
  void es256SignaturesAreAccepted() {
    assertEquals("alice", verifier(idp).verify(idp.newToken().es256().mint()).principal());
  }

  @Test
  void aTokenWithoutKidIsCheckedAgainstThePublishedKeys() {
    assertEquals("alice", verifier(idp).verify(idp.newToken().noKeyId().mint()).principal());
  }

  @Test
  void accessTokenTypesAreAccepted() {
    JwtVerifier verifier = verifier(idp);
    for (String type : new String[] {null, "JWT", "at+jwt", "application/at+jwt"}) {
      assertEquals("alice", verifier.verify(idp.newToken().type(type).mint()).principal(), type);
    }
  }

  @Test
  void anAudienceListIncludingOursIsAccepted() {
    String token = idp.newToken().audience("account", "floe").mint();
    assertEquals("alice", verifier(idp).verify(token).principal());
  }

  @Test
  void withoutAConfiguredAudienceAnyAudienceIsAccepted() {
    JwtVerifier verifier = new JwtVerifier(Settings.of(idp.issuer(), null));
    assertEquals("alice", verifier.verify(idp.newToken().audience("account").mint()).principal());
    assertEquals("alice", verifier.verify(idp.newToken().audience().mint()).principal());
  }

  @Test
  void clockSkewIsAllowed() {
    Instant now = Instant.now();
    JwtVerifier verifier = verifier(idp); // 60 s
    assertEquals(
        "alice",
        verifier.verify(idp.newToken().expiresAt(now.minusSeconds(30)).mint()).principal());
    assertEquals(
        "alice",
        verifier
            .verify(
                idp.newToken().notBefore(now.plusSeconds(30)).issuedAt(now.plusSeconds(30)).mint())
            .principal());
  }

  @Test
  void aConfiguredJwksUrlNeedsNoDiscovery() {
    try (TestIdentityProvider own = new TestIdentityProvider().start()) {
      JwtVerifier verifier =
          new JwtVerifier(
              new Settings(own.issuer(), "floe", own.jwksUrl(), null, null, Duration.ZERO));
      assertEquals("alice", verifier.verify(own.newToken().mint()).principal());
      assertEquals(0, own.discoveryRequests());
      assertEquals(1, own.jwksRequests());
    }
  }

  @Test
  void theDiscoveryDocumentAndKeysAreFetchedOnceAndCached() {
    try (TestIdentityProvider own = new TestIdentityProvider().start()) {
      JwtVerifier verifier = verifier(own);
      assertEquals(0, own.requests(), "nothing is fetched before the first token");
      for (int i = 0; i < 5; i++) {
        verifier.verify(own.token("user" + i, List.of(), Duration.ofMinutes(1)));
      }
      assertEquals(1, own.discoveryRequests());
      assertEquals(1, own.jwksRequests());
    }
  }

  // --- forged and invalid tokens ---

  @Test
  void anotherIssuerIsRefused() {
    assertRefused(
        idp.newToken().issuer("https://evil.example").mint(),
        "the token was issued by https://evil.example, not by " + idp.issuer());
    assertRefused(idp.newToken().issuer(null).mint(), "the token names no issuer (iss)");
  }

  @Test
  void anotherIssuerIsRefusedWithoutFetchingKeys() {
    try (TestIdentityProvider own = new TestIdentityProvider().start()) {
      refused(verifier(own), own.newToken().issuer("https://evil.example").mint());
      assertEquals(0, own.requests());
    }
  }

  @Test
  void anotherAudienceIsRefused() {
    assertRefused(
        idp.newToken().audience("account").mint(), "the token is for account, not for floe");
    assertRefused(
        idp.newToken().audience("account", "broker").mint(),
        "the token is for account, broker, not for floe");
    assertRefused(
        idp.newToken().audience().mint(),
        "the token names no audience (aud); it must include floe");
  }

  @Test
  void anExpiredTokenIsRefused() {
    assertRefused(
        idp.newToken().expiresAt(Instant.now().minusSeconds(120)).mint(), "the token has expired");
  }

  @Test
  void aTokenWithoutExpiryIsRefused() {
    assertRefused(idp.newToken().noExpiry().mint(), "the token has no expiry time (exp)");
    assertRefused(idp.newToken().claim("exp", "tomorrow").mint(), MALFORMED_CLAIMS);
  }

  @Test
  void aTokenFromTheFutureIsRefused() {
    Instant later = Instant.now().plusSeconds(300);
    assertRefused(idp.newToken().notBefore(later).mint(), "the token is not valid yet (nbf)");
    assertRefused(
        idp.newToken().issuedAt(later).mint(), "the token's issue time (iat) is in the future");
  }

  @Test
  void aTokenWithoutSubjectIsRefused() {
    assertRefused(idp.newToken().noSubject().mint(), "the token has no sub claim");
    assertRefused(
        idp.newToken().subject(" ").mint(), "the token's sub claim is not a non-empty string");
    assertRefused(idp.newToken().claim("sub", List.of("a")).mint(), MALFORMED_CLAIMS);
    // A number in sub is read as its digits (nimbus does, for sub only); elsewhere it is refused.
    assertEquals("42", verifier(idp).verify(idp.newToken().claim("sub", 42).mint()).principal());
    JwtVerifier byEmail =
        new JwtVerifier(new Settings(idp.issuer(), "floe", null, "email", null, null));
    assertEquals(
        "the token's email claim is not a non-empty string",
        refused(byEmail, idp.newToken().claim("email", 42).mint()).getMessage());
  }

  @Test
  void malformedGroupsAreRefused() {
    String reason = "the token's groups claim is neither a string nor a list of strings";
    assertRefused(idp.newToken().claim("groups", 7).mint(), reason);
    assertRefused(idp.newToken().claim("groups", List.of("a", 7)).mint(), reason);
  }

  @Test
  void aTokenSignedByAnUnknownKeyIsRefused() {
    assertRefused(idp.newToken().signedByUnknownKey().mint(), NOT_OUR_KEY);
    assertRefused(
        idp.newToken().signedByUnknownKey().noKeyId().mint(),
        "the token's signature does not verify");
  }

  @Test
  void anUnknownKeyClaimingAPublishedKidIsRefused() {
    assertRefused(
        idp.newToken().signedByUnknownKey().keyId(idp.keyId()).mint(),
        "the token's signature does not verify");
  }

  @Test
  void aKeyEmbeddedInTheHeaderIsIgnored() {
    assertRefused(idp.newToken().signedByUnknownKey().embedJwk().mint(), NOT_OUR_KEY);
    assertRefused(
        idp.newToken().signedByUnknownKey().embedJwk().keyId(idp.keyId()).mint(),
        "the token's signature does not verify");
  }

  @Test
  void aTamperedPayloadIsRefused() {
    String[] parts = idp.token("alice", List.of("analysts"), Duration.ofMinutes(5)).split("\\.");
    String[] admin = idp.token("alice", List.of("admins"), Duration.ofMinutes(5)).split("\\.");
    assertRefused(
        parts[0] + "." + admin[1] + "." + parts[2], "the token's signature does not verify");
  }

  @Test
  void anUnsignedTokenIsRefused() {
    String token = idp.newToken().algNone().mint();
    assertTrue(token.endsWith("."), token);
    assertRefused(token, "the token is not signed (alg: none)");
  }

  @Test
  void hs256SignedWithThePublicKeyIsRefused() {
    assertRefused(
        idp.newToken().hs256WithPublicKey().mint(),
        "the token is signed with HS256; only RS256/384/512, PS256/384/512 and ES256/384/512"
            + " signatures are accepted");
  }

  @Test
  void anEncryptedTokenIsRefused() throws Exception {
    RSAKey key = new RSAKeyGenerator(2048).generate();
    EncryptedJWT jwe =
        new EncryptedJWT(
            new JWEHeader(JWEAlgorithm.RSA_OAEP_256, EncryptionMethod.A256GCM),
            new JWTClaimsSet.Builder().issuer(idp.issuer()).subject("alice").build());
    jwe.encrypt(new RSAEncrypter(key));
    assertRefused(jwe.serialize(), "encrypted tokens are not accepted");
  }

  @Test
  void anotherTokenTypeIsRefused() {
    assertRefused(
        idp.newToken().type("dpop+jwt").mint(),
        "the token's type (typ) is dpop+jwt, not an access token");
  }

  @Test
  void garbageIsRefused() {
    assertRefused(null, "no token was given");
    assertRefused(" ", "no token was given");
    assertRefused("a.b.c", "the token is not a well-formed JWT");
    assertRefused("floe_0123456789abcdef", "the token is not a well-formed JWT");
    String header =
        Base64.getUrlEncoder().withoutPadding().encodeToString("{\"alg\":\"RS256\"}".getBytes());
    assertRefused(header + ".bm90IGpzb24.c2ln", MALFORMED_CLAIMS);
    assertRefused("x".repeat(JwtVerifier.MAX_TOKEN_CHARS + 1), "the token is too large");
  }

  @Test
  void aHostileIssuerIsQuotedPrintably() {
    InvalidTokenException e =
        refused(verifier(idp), idp.newToken().issuer("https://x\n\u0000" + "y".repeat(200)).mint());
    assertEquals(
        "the token was issued by https://x??" + "y".repeat(89) + "…, not by " + idp.issuer(),
        e.getMessage());
  }

  // --- keys: rotation, unknown kids, the IdP's outages ---

  @Test
  void aTokenSignedByARotatedKeyVerifiesAfterTheKeysAreFetchedAgain() throws Exception {
    try (TestIdentityProvider own = new TestIdentityProvider().start()) {
      JwtVerifier verifier = verifier(own);
      String oldToken = own.token("alice", List.of(), Duration.ofMinutes(5));
      assertEquals("alice", verifier.verify(oldToken).principal());
      assertEquals(1, own.jwksRequests());

      String newKid = own.rotateKey();
      String newToken = own.token("bob", List.of(), Duration.ofMinutes(5));
      assertEquals(newKid, SignedJWT.parse(newToken).getHeader().getKeyID());

      assertEquals("bob", verifier.verify(newToken).principal());
      assertEquals(2, own.jwksRequests(), "the unknown kid " + newKid + " made it fetch again");
      assertEquals(
          "alice", verifier.verify(oldToken).principal(), "the old key is still published");
      assertEquals("bob", verifier.verify(newToken).principal());
      assertEquals(2, own.jwksRequests());
    }
  }

  @Test
  void unknownKidsDoNotMakeItHammerTheIdentityProvider() {
    try (TestIdentityProvider own = new TestIdentityProvider().start()) {
      JwtVerifier verifier = verifier(own);
      verifier.verify(own.newToken().mint());
      for (int i = 0; i < 20; i++) {
        InvalidTokenException e =
            refused(verifier, own.newToken().signedByUnknownKey().keyId("made-up-" + i).mint());
        assertEquals(NOT_OUR_KEY, e.getMessage());
        assertFalse(e.identityProviderUnavailable());
      }
      assertEquals(2, own.jwksRequests(), "one fetch, then one refresh in the rate limit's 30 s");
    }
  }

  @Test
  void anUnreachableIdentityProviderGivesACleanRefusal() {
    TestIdentityProvider own = new TestIdentityProvider().start();
    String token = own.token("alice", List.of(), Duration.ofMinutes(5));
    JwtVerifier verifier = verifier(own);
    own.stop(); // the port now refuses connections

    InvalidTokenException e = refused(verifier, token);

    assertEquals(UNREACHABLE, e.getMessage());
    assertTrue(e.identityProviderUnavailable());
    assertNotNull(e.getCause(), "the cause is there for the log");
    // Within the retry interval it does not try again, and says the same.
    assertEquals(UNREACHABLE, refused(verifier, token).getMessage());
  }

  @Test
  void anUnreachableJwksUrlGivesACleanRefusal() {
    TestIdentityProvider own = new TestIdentityProvider().start();
    String token = own.token("alice", List.of(), Duration.ofMinutes(5));
    JwtVerifier verifier =
        new JwtVerifier(new Settings(own.issuer(), "floe", own.jwksUrl(), null, null, null));
    own.stop();

    for (int i = 0; i < 4; i++) { // past the rate limit's two fetches too
      InvalidTokenException e = refused(verifier, token);
      assertEquals(UNREACHABLE, e.getMessage());
      assertTrue(e.identityProviderUnavailable());
    }
  }

  @Test
  void aFailingIdentityProviderIsAskedAgainAfterTheRetryInterval() {
    try (TestIdentityProvider own = new TestIdentityProvider().start()) {
      JwtVerifier verifier =
          new JwtVerifier(
              Settings.of(own.issuer(), "floe"), Duration.ofSeconds(5), Duration.ofHours(1));
      own.available(false); // 503
      String token = own.token("alice", List.of(), Duration.ofMinutes(5));

      assertEquals(UNREACHABLE, refused(verifier, token).getMessage());
      own.available(true);
      assertEquals(UNREACHABLE, refused(verifier, token).getMessage());
      assertEquals(1, own.requests(), "not asked again within the retry interval");

      JwtVerifier eager =
          new JwtVerifier(Settings.of(own.issuer(), "floe"), Duration.ofSeconds(5), Duration.ZERO);
      own.available(false);
      assertEquals(UNREACHABLE, refused(eager, token).getMessage());
      own.available(true);
      assertEquals("alice", eager.verify(token).principal());
    }
  }

  @Test
  void cachedKeysOutliveTheIdentityProvider() {
    TestIdentityProvider own = new TestIdentityProvider().start();
    JwtVerifier verifier = verifier(own);
    String token = own.token("alice", List.of(), Duration.ofMinutes(5));
    verifier.verify(token);
    String unknown = own.newToken().signedByUnknownKey().mint();
    own.stop();

    assertEquals("alice", verifier.verify(token).principal());
    InvalidTokenException e = refused(verifier, unknown);
    assertTrue(e.identityProviderUnavailable(), e.getMessage());
    assertTrue(e.getMessage().contains("could not be reached"), e.getMessage());
  }

  @Test
  void aHungIdentityProviderTimesOut() throws Exception {
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      List<Socket> accepted = Collections.synchronizedList(new ArrayList<>());
      Thread acceptor =
          new Thread(
              () -> {
                try {
                  while (true) {
                    accepted.add(silent.accept()); // and never answer
                  }
                } catch (Exception closed) {
                  // the test is over
                }
              });
      acceptor.setDaemon(true);
      acceptor.start();
      String issuer = "http://127.0.0.1:" + silent.getLocalPort() + "/realms/floe";
      JwtVerifier verifier =
          new JwtVerifier(Settings.of(issuer, "floe"), Duration.ofMillis(300), Duration.ZERO);
      String token = idp.newToken().issuer(issuer).mint();

      InvalidTokenException e =
          assertTimeoutPreemptively(Duration.ofSeconds(5), () -> refused(verifier, token));

      assertEquals(UNREACHABLE, e.getMessage());
      synchronized (accepted) {
        for (Socket s : accepted) {
          s.close();
        }
      }
    }
  }

  @Test
  void aDiscoveryDocumentForAnotherIssuerIsNotUsed() {
    // The same discovery URL (a trailing slash is dropped), but the document names the issuer
    // without it: OIDC requires them to be identical.
    String issuer = idp.issuer() + "/";
    JwtVerifier verifier = new JwtVerifier(Settings.of(issuer, "floe"));
    InvalidTokenException e = refused(verifier, idp.newToken().issuer(issuer).mint());
    assertEquals("the identity provider's discovery document could not be used", e.getMessage());
    assertTrue(e.identityProviderUnavailable());
    assertTrue(e.getCause().getMessage().contains("names the issuer"), e.getCause().getMessage());
  }

  @Test
  void concurrentTokensShareOneDiscoveryAndOneKeyFetch() throws Exception {
    try (TestIdentityProvider own = new TestIdentityProvider().start()) {
      JwtVerifier verifier = verifier(own);
      List<String> tokens = new ArrayList<>();
      for (int i = 0; i < 64; i++) {
        tokens.add(own.token("user" + i, List.of("g" + i), Duration.ofMinutes(5)));
      }
      ExecutorService pool = Executors.newFixedThreadPool(16);
      try {
        List<Callable<Identity>> calls = new ArrayList<>();
        for (String token : tokens) {
          calls.add(() -> verifier.verify(token));
        }
        List<Future<Identity>> results = pool.invokeAll(calls);
        for (int i = 0; i < results.size(); i++) {
          Identity identity = results.get(i).get();
          assertEquals("user" + i, identity.principal());
          assertEquals(Set.of("g" + i), identity.groups());
        }
      } finally {
        pool.shutdownNow();
      }
      assertEquals(1, own.discoveryRequests());
      assertEquals(1, own.jwksRequests());
    }
  }

  // --- looksLikeJwt, settings ---

  @Test
  void tokensLookLikeJwts() {
    assertTrue(JwtVerifier.looksLikeJwt(idp.token("alice", List.of(), Duration.ofMinutes(1))));
    assertTrue(JwtVerifier.looksLikeJwt(idp.newToken().es256().mint()));
    assertTrue(JwtVerifier.looksLikeJwt(idp.newToken().algNone().mint()));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "floe_abc123DEF456ghi789",
        "floe_3f1c9a0e2b7d4c6a8e0f1a2b3c4d5e6f",
        "floe_abc.def",
        "floe_abc.def.ghi",
        "",
        "a.b",
        "eyJhbGciOiJSUzI1NiJ9..sig",
        ".eyJzdWIiOiJ4In0.sig",
        "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.sig.extra",
        "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.s+g/",
        "YWJj.YWJj.YWJj",
        "eyJhbGciOiJSUzI1NiJ9 .eyJzdWIiOiJ4In0.sig"
      })
  void otherStringsDoNotLookLikeJwts(String token) {
    assertFalse(JwtVerifier.looksLikeJwt(token), token);
  }

  @Test
  void nullDoesNotLookLikeAJwt() {
    assertFalse(JwtVerifier.looksLikeJwt(null));
  }

  @Test
  void settingsHaveDefaultsAndAreChecked() {
    Settings settings = Settings.of("https://idp.example/realms/x", "floe");
    assertEquals("sub", settings.principalClaim());
    assertEquals("groups", settings.groupsClaim());
    assertEquals(Duration.ofSeconds(60), settings.clockSkew());

    assertThrows(IllegalArgumentException.class, () -> Settings.of(" ", "floe"));
    assertThrows(IllegalArgumentException.class, () -> Settings.of("not a url", "floe"));
    assertThrows(IllegalArgumentException.class, () -> Settings.of("https://idp.example", " "));
    assertThrows(
        IllegalArgumentException.class,
        () -> new Settings("https://idp.example", null, "file:///etc/passwd", null, null, null));
    assertThrows(
        IllegalArgumentException.class,
        () -> new Settings("https://idp.example", null, null, null, null, Duration.ofSeconds(-1)));
    // Nothing is fetched at construction: an IdP that does not exist is fine until a token comes.
    new JwtVerifier(Settings.of("https://idp.invalid", "floe"));
  }

  @ParameterizedTest
  @EnumSource(TestIdentityProvider.Signing.class)
  void everySigningOfTheStandInLooksLikeAJwt(TestIdentityProvider.Signing signing) {
    assertTrue(JwtVerifier.looksLikeJwt(idp.newToken().signing(signing).mint()), signing.name());
  }
}
