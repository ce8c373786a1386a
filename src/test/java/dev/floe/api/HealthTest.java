package dev.floe.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;

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
        .body("checks.name", hasItems("catalog", "sandbox", "runs"))
        .body(
            "checks.find { it.name == 'runs' }.data.runners",
            equalTo(Runtime.getRuntime().availableProcessors()))
        .body("checks.find { it.name == 'runs' }.data.queueSize", equalTo(64))
        .body("checks.find { it.name == 'sandbox' }.data.runner", equalTo("bwrap"))
        .body("checks.find { it.name == 'sandbox' }.data.isolated", equalTo(true));
  }

  @Test
  void live() {
    given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
  }
}
