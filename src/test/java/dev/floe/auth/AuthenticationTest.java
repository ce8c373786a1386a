package dev.floe.auth;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.floe.testing.Callers;
import dev.floe.testing.TempLake;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Who may call at all: API keys, and every way a bearer token is refused. */
@QuarkusTest
@QuarkusTestResource(TempLake.class)
class AuthenticationTest {
  private static final String WHOAMI = "/api/v1/whoami";

  @TestHTTPResource("/api/v1/whoami")
  URL whoami;

  @TestHTTPResource("/q/health/ready")
  URL health;

  @Test
  void aRequestWithoutAnyAuthorizationIsRefusedButHealthIsOpen() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    HttpResponse<String> refused =
        http.send(
            HttpRequest.newBuilder(URI.create(whoami.toString())).GET().build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(401, refused.statusCode());
    assertTrue(refused.body().contains("\"error_code\":\"UNAUTHENTICATED\""), refused.body());
    assertTrue(refused.body().contains("Authorization: Bearer"), refused.body());
    assertEquals("Bearer realm=\"floe\"", refused.headers().firstValue("WWW-Authenticate").get());
    HttpResponse<String> ready =
        http.send(
            HttpRequest.newBuilder(URI.create(health.toString())).GET().build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(200, ready.statusCode());
  }

  @Test
  void malformedUnknownAndForgedKeysAreRefusedAlike() {
    Callers.Key key = Callers.key("alice");
    String forged =
        key.secret().substring(0, key.secret().length() - 1)
            + (key.secret().endsWith("A") ? "B" : "A");
    for (String header :
        new String[] {
          "Basic YWxpY2U6cGFzcw==", "Bearer", "Bearer floe_unknown", "Bearer " + forged, ""
        }) {
      given()
          .header("Authorization", header)
          .get(WHOAMI)
          .then()
          .statusCode(401)
          .body("error_code", equalTo("UNAUTHENTICATED"))
          .body("error", not(containsString(key.name())));
    }
    given()
        .header("Authorization", key.authorization())
        .get(WHOAMI)
        .then()
        .statusCode(200)
        .body("principal", equalTo("alice"))
        .body("admin", equalTo(false))
        .body("credential", equalTo("key:" + key.name()));
  }

  @Test
  void aRevokedKeyStopsWorkingAtOnce() {
    Callers.Key key = Callers.key("bob");
    key.given().get(WHOAMI).then().statusCode(200);
    Callers.revoke(key);
    key.given().get(WHOAMI).then().statusCode(401).body("error", containsString("was revoked"));
    given()
        .get("/api/v1/admin/keys")
        .then()
        .body("keys.find { it.name == '" + key.name() + "' }.status", equalTo("revoked"));
  }

  @Test
  void theAdminKeyOfTheKeyFileIsNotRevokedOverTheApi() {
    given()
        .delete("/api/v1/admin/keys/admin")
        .then()
        .statusCode(403)
        .body("error", containsString("replace the file and restart"));
    given().get(WHOAMI).then().statusCode(200);
  }

  @Test
  void anExpiredKeyIsRefused() {
    Callers.Key key = Callers.key("carol", 1L);
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                key.given()
                    .get(WHOAMI)
                    .then()
                    .statusCode(401)
                    .body("error", containsString("expired")));
  }

  @Test
  void theKeysSecretIsShownOnceAndNeverListed() {
    Callers.Key key = Callers.key("dave", "analysts");
    String listed = given().get("/api/v1/admin/keys").then().statusCode(200).extract().asString();
    assertTrue(listed.contains(key.name()));
    assertFalse(listed.contains(key.secret()), "a listing shows no secret");
    given()
        .get("/api/v1/admin/keys")
        .then()
        .body("keys.find { it.name == '" + key.name() + "' }.groups", hasItem("analysts"));
    given()
        .contentType(ContentType.JSON)
        .body(Map.of("name", key.name()))
        .post("/api/v1/admin/keys")
        .then()
        .statusCode(409)
        .body("error_code", equalTo("KEY_EXISTS"));
  }

  @Test
  void onlyTheAdminManagesKeysGrantsAndReadsTheAudit() {
    Callers.Key key = Callers.key("erin");
    key.given()
        .get("/api/v1/admin/keys")
        .then()
        .statusCode(403)
        .body("error_code", equalTo("FORBIDDEN"));
    key.given()
        .contentType(ContentType.JSON)
        .body(Map.of("subject", "erin", "privilege", "write", "scope", "lake"))
        .post("/api/v1/admin/grants")
        .then()
        .statusCode(403);
    key.given().get("/api/v1/admin/audit").then().statusCode(403);
    given().get(WHOAMI).then().statusCode(200).body("admin", equalTo(true));
  }
}
