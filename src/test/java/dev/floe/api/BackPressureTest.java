package dev.floe.api;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.floe.testing.TempLake;
import dev.floe.testing.Workloads;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * One runner and a queue of one: what clients see when the service is full, when a synchronous
 * caller's wait eats its time limit, when a client walks away, and when kept results expire.
 */
@QuarkusTest
@QuarkusTestResource(TempLake.class)
@TestProfile(BackPressureTest.OneRunner.class)
class BackPressureTest {
  private static final String RUNS = RunsTest.RUNS;
  private static final String SLEEPER =
      "import time\ntime.sleep(60)\nresult = pl.DataFrame({'a': [1]})\n";

  /**
   * One runner, one queued run, kept results live 3 s, swept every second (the scheduler's finest).
   */
  public static class OneRunner implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "floe.runners.max-concurrent", "1",
          "floe.runners.queue-size", "1",
          "floe.runs.result-ttl", "PT3S",
          "floe.runs.sweep-interval", "PT1S");
    }
  }

  @AfterEach
  void cancelWhatIsLeft() {
    for (String status : List.of("queued", "running")) {
      List<String> ids =
          given().queryParam("status", status).get(RUNS).then().extract().path("runs.run_id");
      ids.forEach(id -> given().delete(RUNS + "/" + id));
    }
  }

  @Test
  void aFullServiceAnswers429WithRetryAfter() throws InterruptedException {
    String running =
        RunsTest.submit(RunsTest.script(SLEEPER)).then().statusCode(202).extract().path("run_id");
    assertEquals("running", RunsTest.awaitStatus(running, "running"));
    String queued =
        RunsTest.submit(RunsTest.script(SLEEPER)).then().statusCode(202).extract().path("run_id");
    given()
        .get(RUNS + "/" + queued)
        .then()
        .body("status", equalTo("queued"))
        .body("started_at", nullValue());

    RunsTest.submit(RunsTest.script(SLEEPER))
        .then()
        .statusCode(429)
        .header("Retry-After", matchesPattern("[1-9][0-9]*"))
        .body("error_code", equalTo("BUSY"))
        .body("error", containsString("Retry-After"));
    Workloads.script("result = pl.DataFrame({'a': [1]})\n")
        .statusCode(429)
        .body("error_code", equalTo("BUSY"));

    // A queued run is cancelled without ever starting; then the queue has room again.
    RunsTest.cancel(queued).statusCode(200).body("status", equalTo("cancelled"));
    given().get(RUNS + "/" + queued).then().body("started_at", nullValue());
    RunsTest.submit(RunsTest.script(SLEEPER)).then().statusCode(202);
  }

  @Test
  void aSynchronousCallersWaitInTheQueueCountsAgainstItsTimeout() throws InterruptedException {
    String running =
        RunsTest.submit(RunsTest.script(SLEEPER)).then().statusCode(202).extract().path("run_id");
    assertEquals("running", RunsTest.awaitStatus(running, "running"));
    long started = System.nanoTime();
    Workloads.post(
            Map.of(
                "mode",
                "script",
                "script",
                "result = pl.DataFrame({'a': [1]})\n",
                "limits",
                Map.of("timeoutSeconds", 2)))
        .statusCode(504)
        .body("error_code", equalTo("TIMEOUT"))
        .body("error", containsString("waited for a free runner"));
    long waitedMs = (System.nanoTime() - started) / 1_000_000;
    assertTrue(waitedMs < 10_000, "the caller waited " + waitedMs + " ms for a 2 s limit");
  }

  @Test
  void aClientThatWalksAwayCancelsItsRun() throws Exception {
    String marker = "floe-walkaway-" + UUID.randomUUID();
    String script =
        "import subprocess, sys, time\n"
            + "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)', '"
            + marker
            + "'])\n"
            + "time.sleep(600)\n";
    try (Socket socket = postAndHold(Map.of("mode", "script", "script", script))) {
      for (int i = 0; i < 100 && !RunsTest.processWithMarkerAlive(marker); i++) {
        Thread.sleep(100);
      }
      assertTrue(RunsTest.processWithMarkerAlive(marker), "the run never started");
    }
    String newest = newestRun();
    assertEquals("cancelled", RunsTest.awaitStatus(newest, "cancelled"));
    for (int i = 0; i < 50 && RunsTest.processWithMarkerAlive(marker); i++) {
      Thread.sleep(100);
    }
    assertFalse(RunsTest.processWithMarkerAlive(marker), "the abandoned run's processes survived");
  }

  @Test
  void aClientThatWalksAwayFromASaveLetsItFinish() throws Exception {
    String table = "walk_" + UUID.randomUUID().toString().substring(0, 8).replace("-", "") + ".t";
    Map<String, Object> body =
        Workloads.saving(
            "import time\ntime.sleep(3)\nresult = pl.DataFrame({'a': [1, 2, 3]})\n", table, null);
    String newest;
    try (Socket socket = postAndHold(body)) {
      // The client walks away while its save runs (not while it waits in the queue).
      newest =
          await()
              .atMost(Duration.ofSeconds(30))
              .until(BackPressureTest::newestRun, id -> id != null && "running".equals(status(id)));
    }
    assertEquals("succeeded", RunsTest.awaitStatus(newest, "succeeded"));
    given()
        .get(RUNS + "/" + newest)
        .then()
        .body("saved.table", equalTo(table))
        .body("saved.rows_written", equalTo(3));
    assertEquals(3, Workloads.rowCount(table));
  }

  @Test
  void keptResultsExpire() throws InterruptedException {
    String runId =
        RunsTest.submit(RunsTest.script("result = pl.DataFrame({'a': [1]})\n"))
            .then()
            .statusCode(202)
            .extract()
            .path("run_id");
    given().get(RUNS + "/" + runId + "/result").then().statusCode(200);
    given().get(RUNS + "/" + runId).then().body("result_available", is(true));
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> given().get(RUNS + "/" + runId + "/result").statusCode() == 410);
    given()
        .get(RUNS + "/" + runId + "/result")
        .then()
        .statusCode(410)
        .body("error_code", equalTo("RESULT_EXPIRED"))
        .body("error", containsString("run the workload again"));
    given()
        .get(RUNS + "/" + runId)
        .then()
        .body("status", equalTo("succeeded"))
        .body("result_available", is(false));
  }

  private static String status(String runId) {
    return given().get(RUNS + "/" + runId).then().extract().path("status");
  }

  private static String newestRun() {
    return given().queryParam("limit", 1).get(RUNS).then().extract().path("runs[0].run_id");
  }

  /** Sends a synchronous request over a raw socket and leaves the response unread. */
  private static Socket postAndHold(Map<String, Object> body) throws IOException {
    byte[] json =
        new com.fasterxml.jackson.databind.ObjectMapper()
            .writeValueAsString(body)
            .getBytes(StandardCharsets.UTF_8);
    Socket socket = new Socket("localhost", RestAssured.port);
    OutputStream out = socket.getOutputStream();
    out.write(
        ("POST "
                + Workloads.PATH
                + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                + "Authorization: "
                + TempLake.adminAuthorization()
                + "\r\n"
                + "Content-Length: "
                + json.length
                + "\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
    out.write(json);
    out.flush();
    return socket;
  }
}
