package dev.floe.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.notNullValue;

import dev.floe.testing.TempLake;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/** Liveness and readiness: the catalog answers and the sandbox can run Python. */
@QuarkusTest
@QuarkusTestResource(TempLake.class)
class HealthTest {

  @Test
  void readyChecksTheCatalogAndTheSandbox() {
    given()
        .get("/q/health/ready")
        .then()
        .statusCode(200)
        .body("status", equalTo("UP"))
        .body("checks.name", hasItems("catalog", "sandbox", "runs", "replica"))
        .body("checks.find { it.name == 'replica' }.data.replicas", equalTo(1))
        .body(
            "checks.find { it.name == 'runs' }.data.runners",
            equalTo(Runtime.getRuntime().availableProcessors()))
        .body("checks.find { it.name == 'runs' }.data.queueSize", equalTo(64))
        .body("checks.find { it.name == 'sandbox' }.data.runner", equalTo("fork"))
        .body("checks.find { it.name == 'sandbox' }.data.isolated", equalTo(true))
        // The warm pool: one ready runner per concurrent run by default, and how runs found it.
        .body(
            "checks.find { it.name == 'sandbox' }.data.warmTarget",
            equalTo(Runtime.getRuntime().availableProcessors()))
        .body("checks.find { it.name == 'sandbox' }.data.runsOnWarmRunners", notNullValue())
        .body("checks.find { it.name == 'sandbox' }.data.runsOnColdRunners", notNullValue())
        .body("checks.find { it.name == 'sandbox' }.data.template", containsString("polars"));
  }

  @Test
  void live() {
    given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
  }
}
