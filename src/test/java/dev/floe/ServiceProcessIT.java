package dev.floe;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.floe.testing.RunSandboxes;
import dev.floe.testing.ServiceProcess;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The packaged service as its own process, as users start it: a 1 GB Arrow result streams through a
 * JVM with a 256 MB heap, and runs survive (or are honestly failed by) a hard restart.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ServiceProcessIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final String HEAP = "-Xmx256m";
  private static final String WORKLOADS = "/api/v1/warehouse/polars";
  private static final String RUNS = WORKLOADS + "/runs";

  private static Path home;
  private static ServiceProcess floe;
  private static Process service;

  @BeforeAll
  static void start() throws Exception {
    home = Files.createTempDirectory("floe-it-");
    floe = new ServiceProcess(home, HEAP, List.of());
    service = floe.start().process();
  }

  @AfterAll
  static void stop() throws Exception {
    if (floe != null) {
      floe.stop();
    }
    dev.floe.sandbox.RunFiles.deleteTree(home);
  }

  private static String log() throws IOException {
    return floe.log();
  }

  private static HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return floe.get(path);
  }

  private static HttpResponse<String> post(String path, Map<String, Object> body)
      throws IOException, InterruptedException {
    return floe.post(path, body);
  }

  /** The id of the run {@code response} answers, which must have {@code status}. */
  private static String runId(HttpResponse<String> response, int status) throws IOException {
    assertEquals(status, response.statusCode(), response.body());
    return (String) JSON.readValue(response.body(), Map.class).get("run_id");
  }

  /** Used bytes of the service's heap, from jstat (S0U + S1U + EU + OU, in KB). */
  private static long heapUsedBytes() throws IOException, InterruptedException {
    String jstat = Path.of(System.getProperty("java.home"), "bin", "jstat").toString();
    Process p =
        new ProcessBuilder(jstat, "-gc", String.valueOf(service.pid()))
            .redirectErrorStream(true)
            .start();
    List<String> lines = new String(p.getInputStream().readAllBytes()).lines().toList();
    p.waitFor();
    if (lines.size() < 2) {
      return -1;
    }
    List<String> names = List.of(lines.get(0).trim().split("\\s+"));
    String[] values = lines.get(1).trim().split("\\s+");
    double kb = 0;
    for (String column : List.of("S0U", "S1U", "EU", "OU")) {
      kb += Double.parseDouble(values[names.indexOf(column)]);
    }
    return (long) (kb * 1024);
  }

  @Test
  @Order(1)
  void aGigabyteResultStreamsThroughA256MbHeap() throws Exception {
    long rows = 20_000_000;
    String script = "result = pl.select(i=pl.int_range(0, " + rows + "), s=pl.lit('x' * 40))\n";
    String client =
        "import json, sys, time, urllib.request\n"
            + "import pyarrow as pa\n"
            + "req = urllib.request.Request(sys.argv[1], data=sys.argv[2].encode(),"
            + " method='POST', headers={'content-type': 'application/json',"
            + " 'accept': 'application/vnd.apache.arrow.stream',"
            + " 'authorization': 'Bearer ' + open(sys.argv[3]).read().strip()})\n"
            + "t0 = time.time()\n"
            + "rows = last = nbytes = 0\n"
            + "with urllib.request.urlopen(req, timeout=600) as resp:\n"
            + "    reader = pa.ipc.open_stream(resp)\n"
            + "    for batch in reader:\n"
            + "        rows += batch.num_rows\n"
            + "        nbytes += batch.nbytes\n"
            + "        last = batch.column(0)[batch.num_rows - 1].as_py()\n"
            + "print(json.dumps({'rows': rows, 'last': last, 'bytes': nbytes,"
            + " 'seconds': time.time() - t0}))\n";
    AtomicBoolean streaming = new AtomicBoolean(true);
    AtomicLong peak = new AtomicLong();
    List<Long> samples = new ArrayList<>();
    Thread sampler =
        new Thread(
            () -> {
              while (streaming.get()) {
                try {
                  long used = heapUsedBytes();
                  synchronized (samples) {
                    samples.add(used);
                  }
                  peak.accumulateAndGet(used, Math::max);
                  Thread.sleep(250);
                } catch (IOException | InterruptedException e) {
                  return;
                }
              }
            });
    long before = heapUsedBytes();
    sampler.start();
    Process reader =
        new ProcessBuilder(
                ServiceProcess.devPython().toString(),
                "-c",
                client,
                floe.url() + "/api/v1/warehouse/polars",
                JSON.writeValueAsString(Map.of("mode", "script", "script", script)),
                home.resolve("admin.key").toString())
            .redirectErrorStream(true)
            .start();
    String out = new String(reader.getInputStream().readAllBytes()).strip();
    int exit = reader.waitFor();
    streaming.set(false);
    sampler.join();
    assertEquals(0, exit, out + "\nservice log:\n" + log());
    Map<?, ?> got = JSON.readValue(out.lines().reduce((a, b) -> b).orElse("{}"), Map.class);
    assertEquals(rows, ((Number) got.get("rows")).longValue());
    assertEquals(rows - 1, ((Number) got.get("last")).longValue());
    long bytes = ((Number) got.get("bytes")).longValue();
    assertTrue(bytes > 1_000_000_000L, "the result was only " + bytes + " bytes");
    System.out.printf(
        "streamed %d rows, %.2f GB in %.1f s through a %s heap: heap used %d MB before, peak %d MB"
            + " over %d samples%n",
        rows,
        bytes / 1e9,
        ((Number) got.get("seconds")).doubleValue(),
        HEAP,
        before >> 20,
        peak.get() >> 20,
        samples.size());
    assertTrue(peak.get() < 256L << 20, "heap peaked at " + (peak.get() >> 20) + " MB");
    assertTrue(service.isAlive(), "the service died");
    assertEquals(
        200,
        post(
                "/api/v1/warehouse/polars",
                Map.of(
                    "mode",
                    "query",
                    "query",
                    "SELECT COUNT(*) AS n FROM f",
                    "tables",
                    List.of("f=default.flowers")))
            .statusCode());
  }

  @Test
  @Order(2)
  void runsOutliveARestartAndInFlightOnesReadFailed() throws Exception {
    String finished =
        runId(
            post(
                WORKLOADS,
                Map.of("mode", "script", "script", "result = pl.DataFrame({'a': [1]})\n")),
            200);
    String inFlight =
        runId(
            post(RUNS, Map.of("mode", "script", "script", "import time\ntime.sleep(600)\n")), 202);
    await().atMost(Duration.ofMinutes(1)).until(() -> "running".equals(status(inFlight)));

    long killed = service.pid();
    floe.kill(); // kill -9: no shutdown hook runs
    // Its runners (the one mid-job, the warm ones) and their template die with it: none is ever
    // handed a job again.
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> RunSandboxes.processesOf(killed, home).isEmpty());
    service = floe.start().process();
    // The new service removes what the dead one left of its runners.
    assertTrue(
        Files.notExists(home.resolve("runners").resolve(Long.toString(killed))),
        "the killed service's runner directories are left");

    Map<?, ?> before =
        JSON.readValue(get("/api/v1/warehouse/polars/runs/" + finished).body(), Map.class);
    assertEquals("succeeded", before.get("status"));
    Map<?, ?> stranded =
        JSON.readValue(get("/api/v1/warehouse/polars/runs/" + inFlight).body(), Map.class);
    assertEquals("failed", stranded.get("status"), stranded.toString());
    String why = (String) ((Map<?, ?>) stranded.get("error")).get("error");
    assertTrue(why.contains("service restarted"), why);
    assertTrue(why.contains("was running"), why);
  }

  @Test
  @Order(3)
  void aKeyedSaveKilledMidRunRunsAgainOnItsRetryAndSavesOnce() throws Exception {
    String table = "crash_" + UUID.randomUUID().toString().substring(0, 8) + ".t";
    String key = "k-" + UUID.randomUUID();
    Map<String, Object> save =
        Map.of(
            "mode",
            "script",
            "script",
            "import time\ntime.sleep(5)\nresult = pl.DataFrame({'a': [1, 2]})\n",
            "destination",
            table,
            "saveMode",
            "append");
    CompletableFuture<HttpResponse<String>> cut = postAsync(WORKLOADS, save, key);
    String first =
        await()
            .atMost(Duration.ofMinutes(1))
            .until(() -> newestRun("running"), java.util.Objects::nonNull);

    floe.kill(); // kill -9 while the save runs
    assertThrows(ExecutionException.class, cut::get, "the client's connection was cut");
    service = floe.start().process();
    Map<?, ?> killed = JSON.readValue(get(RUNS + "/" + first).body(), Map.class);
    assertEquals("failed", killed.get("status"), killed.toString());
    assertEquals("INTERNAL", ((Map<?, ?>) killed.get("error")).get("error_code"));

    // The retry runs the save again under the same key, and a further retry finds that run.
    HttpResponse<String> retried = postAsync(WORKLOADS, save, key).get();
    assertEquals(200, retried.statusCode(), retried.body());
    Map<?, ?> second = JSON.readValue(retried.body(), Map.class);
    assertNotEquals(first, second.get("run_id"));
    assertEquals(2, ((Map<?, ?>) second.get("saved")).get("rows_written"));
    Map<?, ?> replayed = JSON.readValue(postAsync(WORKLOADS, save, key).get().body(), Map.class);
    assertEquals(second.get("run_id"), replayed.get("run_id"));
    Map<?, ?> count =
        JSON.readValue(
            post(
                    WORKLOADS,
                    Map.of(
                        "mode",
                        "query",
                        "query",
                        "SELECT COUNT(*) AS n FROM t",
                        "tables",
                        List.of("t=" + table)))
                .body(),
            Map.class);
    assertEquals(List.of(List.of(2)), ((Map<?, ?>) count.get("results")).get("rows"));
  }

  private static String status(String runId) throws IOException, InterruptedException {
    return (String) JSON.readValue(get(RUNS + "/" + runId).body(), Map.class).get("status");
  }

  /** The newest run with this status, or null. */
  private static String newestRun(String status) throws IOException, InterruptedException {
    List<?> runs =
        (List<?>)
            JSON.readValue(get(RUNS + "?limit=1&status=" + status).body(), Map.class).get("runs");
    return runs.isEmpty() ? null : (String) ((Map<?, ?>) runs.get(0)).get("run_id");
  }

  private static CompletableFuture<HttpResponse<String>> postAsync(
      String path, Map<String, Object> body, String idempotencyKey) throws IOException {
    return HTTP.sendAsync(
        ServiceProcess.withBody(floe.request(path), body)
            .header("Idempotency-Key", idempotencyKey)
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
