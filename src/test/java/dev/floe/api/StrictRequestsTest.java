package dev.floe.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.floe.testing.TempLake;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

/** What schemathesis found accepted against the spec: each is now a 400 that names the fix. */
@QuarkusTest
@QuarkusTestResource(TempLake.class)
class StrictRequestsTest {

  private static void refused(String body, String field) {
    given()
        .contentType(ContentType.JSON)
        .body(body)
        .post("/api/v1/warehouse/polars")
        .then()
        .statusCode(400)
        .body("error_code", equalTo("INVALID_REQUEST"))
        .body("error", containsString("Cannot read field '" + field + "'"));
  }

  @Test
  void aFieldOfTheWrongJsonTypeIsRefused() {
    refused("{\"mode\": \"script\", \"script\": 5}", "script");
    refused("{\"mode\": \"query\", \"query\": true}", "query");
    refused("{\"mode\": \"query\", \"query\": \"SELECT 1\", \"dryRun\": \"true\"}", "dryRun");
    refused(
        "{\"mode\": \"query\", \"query\": \"SELECT 1\", \"limits\": {\"maxRows\": \"5\"}}",
        "limits.maxRows");
    refused("{\"mode\": \"query\", \"query\": \"SELECT 1\", \"schemaMode\": 0}", "schemaMode");
  }

  @Test
  void nullMeansAbsent() {
    given()
        .contentType(ContentType.JSON)
        .body(
            "{\"mode\": \"query\", \"query\": \"SELECT 1 AS x\", \"script\": null, \"limits\":"
                + " null, \"tables\": [{\"alias\": \"f\", \"table\": \"default.flowers\","
                + " \"snapshotId\": null}]}")
        .post("/api/v1/warehouse/polars")
        .then()
        .statusCode(200)
        .body("results.rows[0][0]", equalTo(1));
  }

  @Test
  void countsMustBeABoolean() {
    for (String bad : new String[] {"null", "", "yes"}) {
      given()
          .get("/api/v1/catalogs?counts=" + bad)
          .then()
          .statusCode(400)
          .body("error_code", equalTo("INVALID_REQUEST"))
          .body("error", containsString("counts"));
    }
    given().get("/api/v1/catalogs?counts=true").then().statusCode(200);
    given().get("/api/v1/catalogs").then().statusCode(200);
  }

  @Test
  void aRepeatedOrEmptyNumberParameterIsRefused() {
    given()
        .get("/api/v1/warehouse/polars/runs?limit=1&limit=2")
        .then()
        .statusCode(400)
        .body("error_code", equalTo("INVALID_REQUEST"))
        .body("error", equalTo("Query parameter limit is given 2 times; give it once."));
    given()
        .get("/api/v1/warehouse/polars/runs?limit=")
        .then()
        .statusCode(400)
        .body("error", equalTo("Query parameter limit is empty; give it a value or leave it out."));
  }
}
