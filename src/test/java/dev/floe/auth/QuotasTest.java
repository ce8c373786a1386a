package dev.floe.auth;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.floe.testing.Callers;
import dev.floe.testing.TempLake;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Quotas and fairness on two runners: a principal flooding the service is refused beyond its quota
 * (429 QUOTA_EXCEEDED, Retry-After) and delays only itself; a key revoked while its run waits stops
 * that run from starting.
 */
@QuarkusTest
@QuarkusTestResource(TempLake.class)
@TestProfile(QuotasTest.TwoRunners.class)
class QuotasTest {
  private static final String RUNS = "/api/v1/warehouse/polars/runs";
  private static final String SLOW =
      "import time\ntime.sleep(1.5)\nresult = pl.DataFrame({'v': [1]})";

  /** Two runners; each principal may have three runs waiting. */
  public static class TwoRunners implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "floe.runners.max-concurrent", "2",
          "floe.runners.queue-size", "32",
          "floe.quotas.queued", "3");
    }
  }

  private static Response submit(Callers.Key key, String script) {
    return key.given()
        .contentType(ContentType.JSON)
        .body(Map.of("mode", "script", "script", script))
        .post(RUNS);
  }

  private static Map<String, Object> waitForEnd(String runId) {
    return await()
        .atMost(Duration.ofMinutes(2))
        .until(
            () -> given().get(RUNS + "/" + runId).then().extract().jsonPath().getMap(""),
            run -> List.of("succeeded", "failed", "cancelled").contains(run.get("status")));
  }

  @Test
  void oneTeamFloodingIsRefusedBeyondItsQuotaAndDelaysOnlyItself() throws Exception {
    Callers.Key a = Callers.key("flooder");
    Callers.Key b = Callers.key("neighbour");
    ExecutorService clients = Executors.newFixedThreadPool(10);
    List<Future<Response>> flood = new ArrayList<>();
    try {
      for (int i = 0; i < 10; i++) {
        flood.add(clients.submit((Callable<Response>) () -> submit(a, SLOW)));
      }
      List<String> accepted = new ArrayList<>();
      int refused = 0;
      for (Future<Response> f : flood) {
        Response r = f.get();
        if (r.statusCode() == 202) {
          accepted.add(r.path("run_id"));
        } else {
          assertEquals(429, r.statusCode(), r.asString());
          assertEquals("QUOTA_EXCEEDED", r.path("error_code"));
          assertTrue(Integer.parseInt(r.header("Retry-After")) >= 1);
          refused++;
        }
      }
      assertEquals(5, accepted.size(), "two running and three waiting: " + accepted);
      assertEquals(5, refused);

      // The neighbour is not refused, and its run does not wait behind the flooder's queue.
      Response theirs = submit(b, SLOW);
      theirs.then().statusCode(202);
      Map<String, Object> neighbour = waitForEnd(theirs.path("run_id"));
      assertEquals("succeeded", neighbour.get("status"));
      Instant started = Instant.parse((String) neighbour.get("started_at"));
      long aheadOfIt =
          accepted.stream()
              .map(QuotasTest::waitForEnd)
              .filter(run -> Instant.parse((String) run.get("started_at")).isBefore(started))
              .count();
      assertTrue(
          aheadOfIt <= 3,
          "first come first served would have run all 5 of the flooder's runs first; "
              + aheadOfIt
              + " went ahead");
    } finally {
      clients.shutdownNow();
    }
  }

  @Test
  void aKeyRevokedWhileItsRunWaitsStopsTheRunFromStarting() {
    Callers.Key hog = Callers.key("hog");
    Callers.Key waiting = Callers.key("waiter");
    List<String> hogs = List.of(submit(hog, SLOW).path("run_id"), submit(hog, SLOW).path("run_id"));
    String queued = submit(waiting, "result = pl.DataFrame({'v': [1]})").path("run_id");
    given().get(RUNS + "/" + queued).then().body("status", equalTo("queued"));
    Callers.revoke(waiting);
    Map<String, Object> end = waitForEnd(queued);
    assertEquals("failed", end.get("status"), end.toString());
    given()
        .get(RUNS + "/" + queued)
        .then()
        .body("error.error_code", equalTo("UNAUTHENTICATED"))
        .body("error.error", containsString("was revoked while this run waited or ran"));
    hogs.forEach(QuotasTest::waitForEnd);
  }

  @Test
  void aKeyRevokedWhileItsRunRunsGetsNoMoreTablesAndSavesNothing() {
    String ns = "revoked_" + java.util.UUID.randomUUID().toString().substring(0, 6);
    Callers.Key key = Callers.key("short-lived");
    Callers.grant(key.principal(), "read", "lake.default");
    Callers.grant(key.principal(), "write", "lake." + ns);
    String runId =
        key.given()
            .contentType(ContentType.JSON)
            .body(
                Map.of(
                    "mode",
                    "script",
                    "script",
                    "import time\ntime.sleep(3)\nresult = scan('default.flowers')",
                    "destination",
                    ns + ".copy"))
            .post(RUNS)
            .then()
            .statusCode(202)
            .extract()
            .path("run_id");
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> "running".equals(given().get(RUNS + "/" + runId).path("status")));
    Callers.revoke(key);
    Map<String, Object> end = waitForEnd(runId);
    assertEquals("failed", end.get("status"), end.toString());
    given()
        .get(RUNS + "/" + runId)
        .then()
        .body("error.error_code", equalTo("UNAUTHENTICATED"))
        .body("error.error", containsString("nothing was saved"));
    given().get("/api/v1/catalogs/lake/namespaces/" + ns + "/tables/copy").then().statusCode(404);
  }
}
