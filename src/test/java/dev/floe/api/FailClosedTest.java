package dev.floe.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.floe.testing.TempLake;
import dev.floe.testing.Workloads;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A runner that cannot isolate here: the service starts, says it is not ready, refuses runs. */
@QuarkusTest
@QuarkusTestResource(TempLake.class)
@TestProfile(FailClosedTest.NoSuchRunner.class)
class FailClosedTest {

  /** The Kubernetes runner, which this build does not have. */
  public static class NoSuchRunner implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("floe.sandbox.runner", "kubernetes");
    }
  }

  @Test
  void runsAreRefusedAndReadinessSaysWhy() {
    Workloads.query("SELECT 1 AS x", List.of())
        .statusCode(503)
        .body("error_code", equalTo("SANDBOX_UNAVAILABLE"))
        .body("error", containsString("kubernetes"));
    given()
        .get("/q/health/ready")
        .then()
        .statusCode(503)
        .body("checks.find { it.name == 'sandbox' }.status", equalTo("DOWN"))
        .body(
            "checks.find { it.name == 'sandbox' }.data.problem",
            containsString("auto, fork or bwrap"));
    // Browsing the lake needs no sandbox and keeps working.
    given().get("/api/v1/catalogs/lake/namespaces").then().statusCode(200);
  }
}
