package dev.floe.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.floe.runs.RunStore;
import dev.floe.testing.ArrowClient;
import dev.floe.testing.TempLake;
import dev.floe.testing.Workloads;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.response.ValidatableResponse;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Asynchronous runs: submit, follow, result (JSON and Arrow), logs, cancel, idempotency. */
@QuarkusTest
@QuarkusTestResource(TempLake.class)
class RunsTest {
  static final String RUNS = "/api/v1/warehouse/polars/runs";

  @Inject RunStore store;

  static Response submit(Map<String, Object> body) {
    return given().contentType(ContentType.JSON).body(body).post(RUNS);
  }

  static Map<String, Object> script(String source) {
    Map<String, Object> body = new HashMap<>();
    body.put("mode", "script");
    body.put("script", source);
    return body;
  }

  /** POST of an asynchronous run with an Idempotency-Key. */
  static ValidatableResponse submitKeyed(Map<String, Object> body, String key) {
    return given()
        .header("Idempotency-Key", key)
        .contentType(ContentType.JSON)
        .body(body)
        .post(RUNS)
        .then();
  }

  /** DELETE of a run: its cancel. */
  static ValidatableResponse cancel(String runId) {
    return given().delete(RUNS + "/" + runId).then();
  }

  static String awaitStatus(String runId, String wanted) throws InterruptedException {
    String status = null;
    for (int i = 0; i < 200; i++) {
      status = given().get(RUNS + "/" + runId).then().statusCode(200).extract().path("status");
      if (wanted.equals(status)) {
        return status;
      }
      Thread.sleep(100);
    }
    return status;
  }

  static boolean processWithMarkerAlive(String marker) {
    return ProcessHandle.allProcesses()
        .anyMatch(p -> p.info().arguments().map(a -> List.of(a).contains(marker)).orElse(false));
  }

  @Test
  void anAsyncRunIsAcceptedFollowedAndAnswered() throws InterruptedException {
    Response accepted =
        submit(script("print('hello from the run')\nresult = pl.DataFrame({'a': [1, 2, 3]})\n"));
    accepted
        .then()
        .statusCode(202)
        .header("Location", matchesPattern(RUNS + "/r-[0-9a-f-]+"))
        .body("run_id", matchesPattern("r-[0-9a-f-]+"))
        .body("status", matchesPattern("queued|running"))
        .body("links.result", containsString("/result"));
    String runId = accepted.path("run_id");
    // Accepted either still waiting for a runner or already on one: the view says which.
    if ("queued".equals(accepted.path("status"))) {
      accepted.then().body("started_at", nullValue());
    } else {
      accepted.then().body("status", equalTo("running")).body("started_at", notNullValue());
    }

    given()
        .get(RUNS + "/" + runId + "/result")
        .then()
        .statusCode(200)
        .body("success", is(true))
        .body("run_id", equalTo(runId))
        .body("results.rows", equalTo(List.of(List.of(1), List.of(2), List.of(3))))
        .body("logs", containsString("hello from the run"));
    given()
        .get(RUNS + "/" + runId)
        .then()
        .statusCode(200)
        .body("status", equalTo("succeeded"))
        .body("row_count", equalTo(3))
        .body("result_available", is(true))
        .body("started_at", notNullValue())
        .body("finished_at", notNullValue())
        .body("error", nullValue());

    ArrowClient.Answer arrow = ArrowClient.get(RUNS + "/" + runId + "/result");
    assertEquals(200, arrow.status());
    assertTrue(arrow.complete());
    assertEquals(List.of(1L, 2L, 3L), arrow.column("a"));

    given().get(RUNS).then().statusCode(200).body("runs.run_id", hasItem(runId));
    given()
        .queryParam("status", "succeeded")
        .get(RUNS)
        .then()
        .statusCode(200)
        .body("runs.status", org.hamcrest.Matchers.everyItem(equalTo("succeeded")));
    given()
        .queryParam("status", "done")
        .get(RUNS)
        .then()
        .statusCode(400)
        .body("error", containsString("queued, running, succeeded, failed, cancelled"));
  }

  @Test
  void aRunsRequestIsOnItsOwnViewAndNotInTheList() throws InterruptedException {
    String source = "result = scan('f').head(params['n'])\n";
    Map<String, Object> body = new java.util.HashMap<>(script(source));
    body.put("tables", List.of("f=default.flowers"));
    body.put("params", Map.of("n", 2, "big", new java.math.BigInteger("9007199254740993")));
    String runId = submit(body).then().statusCode(202).extract().path("run_id");
    String view =
        given()
            .get(RUNS + "/" + runId)
            .then()
            .statusCode(200)
            .body("principal", equalTo("admin"))
            .body("request.script", equalTo(source))
            .body("request.query", nullValue())
            .body("request.tables", equalTo(List.of("f=default.flowers")))
            .body("request.params.n", equalTo(2))
            .extract()
            .asString();
    // A number past 2^53 comes back as it was sent, digit for digit.
    assertTrue(view.contains("\"big\":9007199254740993"), view);
    given()
        .get(RUNS)
        .then()
        .statusCode(200)
        .body("runs.find { it.run_id == '" + runId + "' }.principal", equalTo("admin"))
        .body("runs.find { it.run_id == '" + runId + "' }", not(hasKey("request")));
  }

  @Test
  void logsArriveIncrementallyAndEachLineOnce() throws InterruptedException {
    String source =
        "import time, sys\n"
            + "for i in range(6):\n"
            + "    print(f'tick {i}', flush=True)\n"
            + "    time.sleep(0.4)\n"
            + "result = pl.DataFrame({'a': [1]})\n";
    String runId = submit(script(source)).then().statusCode(202).extract().path("run_id");
    StringBuilder seen = new StringBuilder();
    long after = 0;
    int polls = 0;
    int pollsWithText = 0;
    boolean complete = false;
    while (!complete && polls++ < 300) {
      Response page = given().queryParam("after", after).get(RUNS + "/" + runId + "/logs");
      page.then().statusCode(200).body("run_id", equalTo(runId));
      String text = page.path("logs");
      if (!text.isEmpty()) {
        pollsWithText++;
      }
      seen.append(text);
      after = ((Number) page.path("next")).longValue();
      complete = page.path("complete");
      Thread.sleep(150);
    }
    assertTrue(complete, "the logs never said complete");
    String expected = "tick 0\ntick 1\ntick 2\ntick 3\ntick 4\ntick 5\n";
    assertEquals(expected, seen.toString());
    assertTrue(pollsWithText >= 2, "the output came in one piece, not while the run went");
  }

  @Test
  void cancelKillsTheSandboxAndCommitsNothing() throws InterruptedException {
    String marker = "floe-cancel-" + UUID.randomUUID();
    String table =
        "cancels_" + UUID.randomUUID().toString().substring(0, 8).replace("-", "") + ".t";
    Map<String, Object> body =
        script(
            "import subprocess, sys, time\n"
                + "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)', '"
                + marker
                + "'])\n"
                + "time.sleep(600)\n"
                + "result = pl.DataFrame({'a': [1]})\n");
    body.put("destination", table);
    String runId = submit(body).then().statusCode(202).extract().path("run_id");
    assertEquals("running", awaitStatus(runId, "running"));
    for (int i = 0; i < 50 && !processWithMarkerAlive(marker); i++) {
      Thread.sleep(100);
    }
    assertTrue(processWithMarkerAlive(marker), "the run never started its child");

    cancel(runId)
        .statusCode(200)
        .body("status", equalTo("cancelled"))
        .body("error.error_code", equalTo("RUN_CANCELLED"));
    assertFalse(processWithMarkerAlive(marker), "a process of the cancelled run survived");
    cancel(runId)
        .statusCode(409)
        .body("error_code", equalTo("RUN_FINISHED"))
        .body("error", containsString("cancelled"));
    given()
        .get(RUNS + "/" + runId + "/result")
        .then()
        .statusCode(409)
        .body("error_code", equalTo("RUN_CANCELLED"));
    String[] parts = table.split("\\.");
    given()
        .get("/api/v1/catalogs/lake/namespaces/" + parts[0] + "/tables/" + parts[1])
        .then()
        .statusCode(404);
  }

  @Test
  void aFailedRunKeepsItsErrorAndLogs() {
    String runId =
        submit(script("print('before')\nraise ValueError('bad input')\n"))
            .then()
            .statusCode(202)
            .extract()
            .path("run_id");
    given()
        .get(RUNS + "/" + runId + "/result")
        .then()
        .statusCode(422)
        .body("error_code", equalTo("SCRIPT_ERROR"))
        .body("run_id", equalTo(runId))
        .body("diagnostics.line", equalTo(2))
        .body("logs", containsString("before"));
    given()
        .get(RUNS + "/" + runId)
        .then()
        .body("status", equalTo("failed"))
        .body("error.error_code", equalTo("SCRIPT_ERROR"))
        .body("result_available", is(false));
    given()
        .get(RUNS + "/" + runId + "/logs")
        .then()
        .body("logs", containsString("before"))
        .body("complete", is(true));
  }

  @Test
  void unknownRunsAre404() {
    for (String path : List.of("", "/result", "/logs")) {
      given()
          .get(RUNS + "/r-nope" + path)
          .then()
          .statusCode(404)
          .body("error_code", equalTo("RUN_NOT_FOUND"));
    }
    cancel("r-nope").statusCode(404);
    given()
        .queryParam("limit", "ten")
        .get(RUNS)
        .then()
        .statusCode(400)
        .body("error_code", equalTo("INVALID_REQUEST"))
        .body("error", containsString("limit"));
  }

  @Test
  void anIdempotencyKeyNeverRunsASaveTwice() {
    String key = "k-" + UUID.randomUUID();
    String table = "idem_" + UUID.randomUUID().toString().substring(0, 8).replace("-", "") + ".t";
    Map<String, Object> body =
        Workloads.saving("result = pl.DataFrame({'a': [1, 2]})\n", table, "append");
    List<String> runIds = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      runIds.add(
          Workloads.post(body, Map.of("Idempotency-Key", key))
              .statusCode(200)
              .body("saved.rows_written", equalTo(2))
              .extract()
              .path("run_id"));
    }
    assertEquals(1, runIds.stream().distinct().count(), runIds.toString());
    assertEquals(2, Workloads.rowCount(table));

    body.put("script", "result = pl.DataFrame({'a': [3]})\n");
    Workloads.post(body, Map.of("Idempotency-Key", key))
        .statusCode(422)
        .body("error_code", equalTo("IDEMPOTENCY_KEY_REUSED"))
        .body("error", containsString(runIds.get(0)));

    String asyncKey = "k-" + UUID.randomUUID();
    Map<String, Object> async = script("result = pl.DataFrame({'a': [1]})\n");
    String first = submitKeyed(async, asyncKey).statusCode(202).extract().path("run_id");
    submitKeyed(async, asyncKey).statusCode(200).body("run_id", equalTo(first));
  }

  @Test
  void aKeyedRetryOfAFailedScriptAnswersThatFailureWithoutRunningAgain() {
    String key = "k-" + UUID.randomUUID();
    Map<String, Object> body = script("print('ran')\nraise ValueError('bad input')\n");
    List<String> runIds = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      runIds.add(
          Workloads.post(body, Map.of("Idempotency-Key", key))
              .statusCode(422)
              .body("error_code", equalTo("SCRIPT_ERROR"))
              .body("error", containsString("line 2"))
              .extract()
              .path("run_id"));
    }
    assertEquals(runIds.get(0), runIds.get(1));
  }

  @Test
  void aSaveRecordsThatItsCommitBeganAndARunWithoutOneDoesNot() {
    String table = "began_" + UUID.randomUUID().toString().substring(0, 8) + ".t";
    Map<String, Object> body = script("result = pl.DataFrame({'a': [1]})\n");
    String plain = Workloads.post(body).statusCode(200).extract().path("run_id");
    body.put("destination", table);
    String saved = Workloads.post(body).statusCode(200).extract().path("run_id");
    assertFalse(store.get(plain).orElseThrow().commitStarted());
    assertTrue(store.get(saved).orElseThrow().commitStarted());
  }

  @Test
  void aDryRunPlansAndSavesNothing() {
    String table = "dry_" + UUID.randomUUID().toString().substring(0, 8).replace("-", "") + ".t";
    Map<String, Object> body = new HashMap<>();
    body.put("mode", "query");
    body.put(
        "query",
        "SELECT species, COUNT(*) AS n FROM flowers WHERE petal_length > 4 GROUP BY species");
    body.put("tables", Workloads.FLOWERS);
    body.put("destination", table);
    body.put("dryRun", true);
    Workloads.post(body)
        .statusCode(200)
        .body("success", is(true))
        .body("results", nullValue())
        .body("saved", nullValue())
        .body("dry_run.columns", equalTo(List.of("species", "n")))
        .body("dry_run.column_types", equalTo(List.of("String", "Int64")))
        .body("dry_run.plan", containsString("petal_length"))
        .body("dry_run.tables[0].table", equalTo("default.flowers"))
        .body("dry_run.tables[0].snapshot_id", matchesPattern("[0-9]+"))
        .body("dry_run.destination", equalTo(table));
    String[] parts = table.split("\\.");
    given()
        .get("/api/v1/catalogs/lake/namespaces/" + parts[0] + "/tables/" + parts[1])
        .then()
        .statusCode(404);
  }
}
