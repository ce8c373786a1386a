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

/**
 * A runner that cannot be set up: the service starts, says it is not ready and why, and refuses
 * runs rather than run them some other way.
 */
@QuarkusTest
@QuarkusTestResource(TempLake.class)
@TestProfile(FailClosedTest.NoSuchRunner.class)
class FailClosedTest {

  /** The Kubernetes runner with no cluster to reach (its API on a closed loopback port). */
  public static class NoSuchRunner implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "floe.sandbox.runner", "kubernetes",
          "quarkus.kubernetes-client.api-server-url", "https://127.0.0.1:1",
          "quarkus.kubernetes-client.request-retry-backoff-limit", "0",
          "floe.kubernetes.handover-bind", "127.0.0.1",
          "floe.kubernetes.handover-port", "0");
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
            containsString("cannot start run pods"));
    // Browsing the lake needs no sandbox and keeps working.
    given().get("/api/v1/catalogs/lake/namespaces").then().statusCode(200);
  }
}
