package dev.floe.auth;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;

import dev.floe.testing.Callers;
import dev.floe.testing.TempLake;
import dev.floe.testing.TestIdentityProvider;
import dev.floe.testing.TestIdentityProviderResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * OIDC access tokens of the platform's identity provider (a real HTTP stand-in with a JWKS): a
 * valid one names the principal and its groups, and grants to a group apply; every forged, expired,
 * misdirected or unsigned one is refused.
 */
@QuarkusTest
@QuarkusTestResource(TempLake.class)
@QuarkusTestResource(value = TestIdentityProviderResource.class, restrictToAnnotatedClass = true)
@TestProfile(OidcTokensTest.AdminGroup.class)
class OidcTokensTest {
  /** The identity provider's "floe-admins" group are admins. */
  public static class AdminGroup implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("floe.auth.admin-groups", "floe-admins");
    }
  }

  private static TestIdentityProvider idp() {
    return TestIdentityProviderResource.identityProvider();
  }

  private static io.restassured.specification.RequestSpecification bearer(String token) {
    return RestAssured.given().header("Authorization", "Bearer " + token);
  }

  @Test
  void aValidTokenNamesThePrincipalAndItsGroups() {
    bearer(idp().token("maria", List.of("analysts", "ops"), Duration.ofMinutes(5)))
        .get("/api/v1/whoami")
        .then()
        .statusCode(200)
        .body("principal", equalTo("maria"))
        .body("groups", equalTo(List.of("analysts", "ops")))
        .body("admin", equalTo(false))
        .body("credential", equalTo("jwt:" + idp().issuer()));
  }

  @Test
  void aGrantToTheTokensGroupLetsItsMemberReadAndNothingMore() {
    Callers.grant("oidc-readers", "read", "lake.default");
    String token = idp().token("noor", List.of("oidc-readers"), Duration.ofMinutes(5));
    bearer(token)
        .contentType(ContentType.JSON)
        .body(
            Map.of(
                "mode", "query",
                "query", "SELECT COUNT(*) AS n FROM f",
                "tables", List.of("f=default.flowers")))
        .post("/api/v1/warehouse/polars")
        .then()
        .statusCode(200)
        .body("results.rows[0][0]", equalTo(150));
    bearer(idp().token("noor", List.of(), Duration.ofMinutes(5)))
        .get("/api/v1/catalogs/lake/namespaces")
        .then()
        .statusCode(200)
        .body("namespaces", equalTo(List.of()));
    bearer(token).get("/api/v1/admin/keys").then().statusCode(403);
  }

  @Test
  void theAdminGroupIsAdmin() {
    bearer(idp().token("root-ish", List.of("floe-admins"), Duration.ofMinutes(5)))
        .get("/api/v1/admin/grants")
        .then()
        .statusCode(200);
  }

  @Test
  void forgedExpiredMisdirectedAndUnsignedTokensAreRefused() {
    Map<String, String> tokens =
        Map.of(
            "signed by a key not in the JWKS",
            idp().newToken().subject("eve").signedByUnknownKey().mint(),
            "another issuer",
            idp().newToken().subject("eve").issuer("https://evil.example").mint(),
            "another audience",
            idp().newToken().subject("eve").audience("not-floe").mint(),
            "expired",
            idp().newToken().subject("eve").expiresAt(Instant.now().minusSeconds(600)).mint(),
            "alg none",
            idp().newToken().subject("eve").algNone().mint(),
            "HS256 with the public key",
            idp()
                .newToken()
                .subject("eve")
                .signing(TestIdentityProvider.Signing.HS256_WITH_PUBLIC_KEY)
                .mint());
    tokens.forEach(
        (what, token) ->
            bearer(token)
                .get("/api/v1/whoami")
                .then()
                .statusCode(401)
                .body("error_code", equalTo("UNAUTHENTICATED"))
                .body("error", containsString("The bearer token was refused")));
  }

  @Test
  void refusedTokensAreAuditedWithoutTheToken() {
    String token = idp().newToken().subject("mallory").algNone().mint();
    bearer(token).get("/api/v1/whoami").then().statusCode(401);
    RestAssured.given()
        .get("/api/v1/admin/audit?outcome=refused&limit=20")
        .then()
        .statusCode(200)
        .body("records.action", hasItem("GET /api/v1/whoami"))
        .body(not(containsString(token)));
  }
}
