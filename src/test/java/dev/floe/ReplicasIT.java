package dev.floe;

import static dev.floe.testing.ServiceProcess.json;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.floe.sandbox.RunFiles;
import dev.floe.testing.ServiceProcess;
import dev.floe.testing.TempPostgres;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Two replicas of the packaged service, two processes, on one run store in a real PostgreSQL and
 * one lake: what a client sees through either of them, and what happens when one is killed.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReplicasIT {
  private static final String WORKLOADS = "/api/v1/warehouse/polars";
  private static final String SUBMIT = WORKLOADS + "/runs";
  private static final String RUNS = SUBMIT + "/";
  private static final String SLEEPER =
      "print('started', flush=True)\nimport time\ntime.sleep(600)\n";

  private static Path shared;
  private static ServiceProcess a;
  private static ServiceProcess b;

  @BeforeAll
  static void start() throws Exception {
    shared = Files.createTempDirectory("floe-replicas-it-");
    String store = TempPostgres.newDatabase("floe_replicas_it");
    a = replica("a", store).start();
    b = replica("b", store).start(); // after A: A made the demo table, B finds it
  }

  private static ServiceProcess replica(String name, String store) throws Exception {
    // The placeholder is replaced once the port is known: a replica's address has its port.
    ServiceProcess replica =
        new ServiceProcess(
            shared.resolve("home-" + name),
            "-Xmx384m",
            List.of(
                "-Dfloe.runs.store-url=" + store,
                "-Dfloe.replica.id=replica-" + name,
                "-Dfloe.replica.heartbeat-interval=PT1S",
                "-Dfloe.replica.lease=PT5S",
                "-Dfloe.catalogs.lake.uri=jdbc:sqlite:" + shared.resolve("catalog/catalog.db"),
                "-Dfloe.catalogs.lake.warehouse=" + shared.resolve("warehouse"),
                "-Dfloe.auth.admin-key-file=" + shared.resolve("admin.key"),
                "-Dfloe.quotas.principals.limited.running=1",
                "-Dfloe.quotas.principals.limited.queued=1",
                "-Dfloe.runners.warm=1"));
    return replica.withSetting("-Dfloe.replica.address=" + replica.url());
  }

  @AfterAll
  static void stop() throws Exception {
    for (ServiceProcess replica : Arrays.asList(a, b)) {
      if (replica != null) {
        replica.stop();
      }
    }
    if (shared != null) {
      RunFiles.deleteTree(shared);
    }
  }

  private static String status(ServiceProcess via, String runId) throws Exception {
    return (String) json(via.get(RUNS + runId)).get("status");
  }

  private static String submit(ServiceProcess via, Map<String, ?> body) throws Exception {
    HttpResponse<String> accepted = via.post(SUBMIT, body);
    assertEquals(202, accepted.statusCode(), accepted.body());
    return (String) json(accepted).get("run_id");
  }

  @Test
  @Order(1)
  void aRunOnAIsListedFollowedAndCancelledThroughB() throws Exception {
    String ready = b.get("/q/health/ready").body();
    assertTrue(ready.contains("\"replicas\": 2") || ready.contains("\"replicas\":2"), ready);
    assertTrue(ready.contains("replica-a"), "B names A among the live replicas: " + ready);
    String run = submit(a, Map.of("mode", "script", "script", SLEEPER));
    await().atMost(Duration.ofMinutes(1)).until(() -> "running".equals(status(b, run)));
    List<?> listed = (List<?>) json(b.get(RUNS + "?status=running")).get("runs");
    assertTrue(listed.stream().anyMatch(r -> run.equals(((Map<?, ?>) r).get("run_id"))));

    // Its output lives in A's memory while it runs: B asks A.
    Map<?, ?> logs =
        await()
            .atMost(Duration.ofSeconds(30))
            .until(
                () -> json(b.get(RUNS + run + "/logs")),
                l -> String.valueOf(l.get("logs")).contains("started"));
    assertEquals(false, logs.get("complete"));

    HttpResponse<String> cancelled = b.delete(RUNS + run);
    assertEquals(200, cancelled.statusCode(), cancelled.body());
    assertEquals("cancelled", json(cancelled).get("status"));
    assertEquals("cancelled", status(a, run));
    Map<?, ?> ended = json(b.get(RUNS + run + "/logs"));
    assertEquals(true, ended.get("complete"));
    assertTrue(String.valueOf(ended.get("logs")).contains("started"));
  }

  @Test
  @Order(2)
  void aResultKeptByAIsReadThroughBAndAKeyRetriedOnBAnswersAsRun() throws Exception {
    Map<String, Object> query =
        Map.of(
            "mode",
            "query",
            "query",
            "SELECT species, COUNT(*) AS n FROM f GROUP BY species ORDER BY species",
            "tables",
            List.of("f=default.flowers"));
    String key = "k-" + UUID.randomUUID();
    HttpResponse<String> first =
        ServiceProcess.send(
            ServiceProcess.withBody(a.request(WORKLOADS), query).header("Idempotency-Key", key));
    assertEquals(200, first.statusCode(), first.body());
    Map<?, ?> answer = json(first);

    HttpResponse<String> retried =
        ServiceProcess.send(
            ServiceProcess.withBody(b.request(WORKLOADS), query).header("Idempotency-Key", key));
    assertEquals(200, retried.statusCode(), retried.body());
    assertEquals(answer.get("run_id"), json(retried).get("run_id"));
    assertEquals(answer.get("results"), json(retried).get("results"));
    assertTrue(
        Files.notExists(b.home().resolve("results")) || isEmpty(b.home().resolve("results")));

    String run = (String) answer.get("run_id");
    assertEquals(answer.get("results"), json(b.get(RUNS + run + "/result")).get("results"));
    HttpResponse<byte[]> arrow =
        ServiceProcess.sendBytes(
            b.request(RUNS + run + "/result")
                .header("Accept", "application/vnd.apache.arrow.stream"));
    assertEquals(200, arrow.statusCode());
    assertEquals(
        "application/vnd.apache.arrow.stream",
        arrow.headers().firstValue("Content-Type").orElse(""));
    assertArrayEquals(
        new byte[] {-1, -1, -1, -1},
        Arrays.copyOf(arrow.body(), 4),
        "an Arrow IPC stream opens with its continuation marker");
  }

  private static boolean isEmpty(Path dir) throws Exception {
    try (var files = Files.list(dir)) {
      return files.findAny().isEmpty();
    }
  }

  @Test
  @Order(3)
  void aKeyMadeOnAWorksOnBAQuotaHoldsAcrossThemAndARevocationOnAReachesB() throws Exception {
    HttpResponse<String> made =
        a.post("/api/v1/admin/keys", Map.of("name", "limited-key", "principal", "limited"));
    assertEquals(201, made.statusCode(), made.body());
    String secret = (String) json(made).get("key");
    // B learns of the new key at its next refresh (every heartbeat interval, 1 s here).
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> as(secret, b, "GET", "/api/v1/whoami", null).statusCode() == 200);

    Map<String, String> sleeper = Map.of("mode", "script", "script", SLEEPER);
    HttpResponse<String> onA = as(secret, a, "POST", SUBMIT, sleeper);
    assertEquals(202, onA.statusCode(), onA.body());
    HttpResponse<String> onB = as(secret, b, "POST", SUBMIT, sleeper);
    assertEquals(202, onB.statusCode(), onB.body());
    // Quota 1 running + 1 waiting: the third, on either replica, is refused.
    HttpResponse<String> third = as(secret, a, "POST", SUBMIT, sleeper);
    assertEquals(429, third.statusCode(), third.body());
    assertEquals("QUOTA_EXCEEDED", json(third).get("error_code"));
    assertTrue(third.headers().firstValue("Retry-After").isPresent());
    assertTrue(String.valueOf(json(third).get("error")).contains("across the service's replicas"));

    // Each cancelled through the other replica.
    assertEquals(200, as(secret, b, "DELETE", RUNS + json(onA).get("run_id"), null).statusCode());
    assertEquals(200, as(secret, a, "DELETE", RUNS + json(onB).get("run_id"), null).statusCode());

    assertEquals(200, a.delete("/api/v1/admin/keys/limited-key").statusCode());
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> as(secret, b, "GET", "/api/v1/whoami", null).statusCode() == 401);
    assertEquals(401, as(secret, a, "GET", "/api/v1/whoami", null).statusCode());
  }

  /** {@code method} on {@code path} of {@code via}, with the key {@code secret} (and a body). */
  private static HttpResponse<String> as(
      String secret, ServiceProcess via, String method, String path, Map<String, ?> body)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(java.net.URI.create(via.url() + path))
            .header("Authorization", "Bearer " + secret);
    return ServiceProcess.send(
        body == null
            ? request.method(method, HttpRequest.BodyPublishers.noBody())
            : ServiceProcess.withBody(request, body));
  }

  @Test
  @Order(4)
  void aRestartOfBLeavesARunOfAAlone() throws Exception {
    String run = submit(a, Map.of("mode", "script", "script", SLEEPER));
    await().atMost(Duration.ofMinutes(1)).until(() -> "running".equals(status(a, run)));
    b.stop();
    b.start();
    assertTrue(b.log().contains("Replica replica-b registered"));
    Thread.sleep(6000); // longer than the lease: nobody took A for lost meanwhile
    assertEquals("running", status(b, run));
    assertEquals(200, b.delete(RUNS + run).statusCode());
  }

  @Test
  @Order(5)
  void aKilledReplicasRunReadsFailedReplicaLostAndItsKeyedRetryRunsOnB() throws Exception {
    String table = "replicas_" + UUID.randomUUID().toString().substring(0, 8) + ".t";
    Map<String, Object> save =
        Map.of(
            "mode",
            "script",
            "script",
            "import time\ntime.sleep(6)\nresult = pl.DataFrame({'a': [1, 2]})\n",
            "destination",
            table,
            "saveMode",
            "append");
    String key = "k-" + UUID.randomUUID();
    HttpResponse<String> accepted =
        ServiceProcess.send(
            ServiceProcess.withBody(a.request(SUBMIT), save).header("Idempotency-Key", key));
    assertEquals(202, accepted.statusCode(), accepted.body());
    String first = (String) json(accepted).get("run_id");
    await().atMost(Duration.ofMinutes(1)).until(() -> "running".equals(status(b, first)));

    a.kill();
    long killedAt = System.nanoTime();
    Map<?, ?> lost =
        await()
            .atMost(Duration.ofSeconds(60))
            .until(() -> json(b.get(RUNS + first)), r -> "failed".equals(r.get("status")));
    System.out.printf(
        "replica-a's run read failed on replica-b %.1f s after the kill -9%n",
        (System.nanoTime() - killedAt) / 1e9);
    Map<?, ?> error = (Map<?, ?>) lost.get("error");
    assertEquals("INTERNAL", error.get("error_code"));
    assertTrue(String.valueOf(error.get("error")).contains("replica lost"), error.toString());
    assertTrue(b.log().contains("Replica replica-a stopped its heartbeat"), "B says why");

    HttpResponse<String> retried =
        ServiceProcess.send(
            ServiceProcess.withBody(b.request(SUBMIT), save).header("Idempotency-Key", key));
    assertEquals(202, retried.statusCode(), retried.body());
    String second = (String) json(retried).get("run_id");
    assertNotEquals(first, second);
    await().atMost(Duration.ofMinutes(1)).until(() -> "succeeded".equals(status(b, second)));
    Map<?, ?> count =
        json(
            b.post(
                WORKLOADS,
                Map.of(
                    "mode",
                    "query",
                    "query",
                    "SELECT COUNT(*) AS n FROM t",
                    "tables",
                    List.of("t=" + table))));
    assertEquals(List.of(List.of(2)), ((Map<?, ?>) count.get("results")).get("rows"), "saved once");
  }
}
