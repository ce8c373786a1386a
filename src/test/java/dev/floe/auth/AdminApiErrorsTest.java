package dev.floe.auth;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.floe.testing.TempLake;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every refusal of the admin API: its error code, and the one sentence that names the fix. */
@QuarkusTest
@QuarkusTestResource(TempLake.class)
class AdminApiErrorsTest {
  private static ValidatableResponse post(String path, Map<String, Object> body) {
    return given().contentType(ContentType.JSON).body(body).post(path).then();
  }

  private static void refused(
      ValidatableResponse answer, int status, String code, String sentence) {
    answer
        .statusCode(status)
        .body("error_code", equalTo(code))
        .body("error", containsString(sentence));
  }

  @Test
  void keys() {
    refused(
        given().delete("/api/v1/admin/keys/no-such-key").then(),
        404,
        "KEY_NOT_FOUND",
        "There is no API key named 'no-such-key'; list them with GET /api/v1/admin/keys.");
    refused(
        post("/api/v1/admin/keys", Map.of("name", "not a name!")),
        400,
        "INVALID_REQUEST",
        "Cannot use key name 'not a name!': use letters, digits and _ . @ -");
    refused(
        post("/api/v1/admin/keys", Map.of("name", "ok-name", "expiresInSeconds", 0)),
        400,
        "INVALID_REQUEST",
        "expiresInSeconds is between 1 and");
  }

  @Test
  void grants() {
    refused(
        given()
            .delete("/api/v1/admin/grants?subject=nobody&privilege=read&scope=lake.nowhere")
            .then(),
        404,
        "GRANT_NOT_FOUND",
        "There is no read grant on lake.nowhere for nobody; list the grants with GET"
            + " /api/v1/admin/grants.");
    refused(
        post(
            "/api/v1/admin/grants",
            Map.of("subject", "team", "privilege", "owner", "scope", "lake")),
        400,
        "INVALID_REQUEST",
        "the privilege is read or write (write includes read)");
    refused(
        post(
            "/api/v1/admin/grants",
            Map.of("subject", "team", "privilege", "read", "scope", "lake.a.b.c")),
        400,
        "INVALID_REQUEST",
        "the scope is CATALOG, CATALOG.NAMESPACE or CATALOG.NAMESPACE.TABLE");
    refused(
        post(
            "/api/v1/admin/grants",
            Map.of("subject", "team", "privilege", "read", "scope", "elsewhere.ns")),
        404,
        "CATALOG_NOT_FOUND",
        "Catalog 'elsewhere' is not configured; use one of lake");
  }

  @Test
  void audit() {
    refused(
        given().get("/api/v1/admin/audit?outcome=maybe").then(),
        400,
        "INVALID_REQUEST",
        "Unknown outcome 'maybe'; use one of ok, refused, failed.");
    refused(
        given().get("/api/v1/admin/audit?since=yesterday").then(),
        400,
        "INVALID_REQUEST",
        "Query parameter since must be an ISO-8601 instant such as 2026-11-30T10:00:00Z");
    refused(
        given().get("/api/v1/admin/audit?limit=0").then(),
        400,
        "INVALID_REQUEST",
        "limit must be between 1 and 10000; it was 0.");
  }
}
