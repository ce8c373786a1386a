package dev.floe.api;

import static dev.floe.testing.HostileFixtures.fixture;
import static dev.floe.testing.RunSandboxes.assertNoProcessWith;
import static dev.floe.testing.RunSandboxes.awaitTrue;
import static dev.floe.testing.RunSandboxes.awaitValue;
import static dev.floe.testing.RunSandboxes.processWith;
import static dev.floe.testing.Workloads.post;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.floe.sandbox.RunHandle;
import dev.floe.sandbox.RunJob;
import dev.floe.sandbox.Runner;
import dev.floe.sandbox.RunnerExit;
import dev.floe.sandbox.RunnerFiles;
import dev.floe.sandbox.WarmPool;
import dev.floe.testing.Jobs;
import dev.floe.testing.RunSandboxes;
import dev.floe.testing.TempLake;
import dev.floe.testing.Workloads;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import io.restassured.response.ValidatableResponse;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The 24 hostile workloads of security-cases.md, each sent through the real HTTP API to the real
 * sandbox, once on runners from the warm pool ({@code HostileWorkloadsWarmTest}) and once on
 * runners started for each run ({@code HostileWorkloadsColdTest}). Scripts live in {@code
 * src/test/resources/hostile/NN_*.py}; rows 22–24 are also request-level. After every test: no
 * runner of a run is left (directory, cgroup or process: only the warm pool's unclaimed runners
 * exist), and an ordinary run succeeds.
 *
 * <p>A canary secret is planted where a service keeps secrets: the trusted side's Iceberg catalog
 * properties and the trusted writer's PyIceberg properties (as an S3 secret key), a JVM system
 * property, a secrets file beside the lake, a file in the host's /tmp and one in the build's
 * target/. Rows 10 and 11 hunt for it everywhere a run can look; it must never appear in a response
 * or in the service's log. (The JVM cannot add a variable to its own environment, so the
 * environment check is that no variable of the service's real environment reaches a run.)
 *
 * <p>Bombs (rows 1, 3, 6, 17, 18) verify from inside the run that it has its own PID namespace and
 * Floe's per-run cgroups before they go off, and refuse otherwise.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class HostileWorkloadsTest {
  private static final String CANARY_PROPERTY = "floetest.hostile-canary";
  private static final Path SERVICE_LOG = Path.of("target/hostile-workloads-service.log");
  private static final int FILE_LIMIT_MB = 64;
  private static final long JVM_PID = ProcessHandle.current().pid();
  private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
      new com.fasterxml.jackson.databind.ObjectMapper();

  /** The canary: one value for the whole JVM (the profile and the test load in other loaders). */
  static synchronized String canary() {
    String canary = System.getProperty(CANARY_PROPERTY);
    if (canary == null) {
      canary = "FLOECANARY-" + UUID.randomUUID();
      System.setProperty(CANARY_PROPERTY, canary);
    }
    return canary;
  }

  /**
   * The service's secrets, a file size limit to hit, and a second catalog not to be read; {@code
   * warm} runners kept ready (0: every run starts its own).
   */
  abstract static class Hostile implements QuarkusTestProfile {
    abstract int warm();

    @Override
    public Map<String, String> getConfigOverrides() {
      try {
        Files.deleteIfExists(SERVICE_LOG);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      Map<String, String> config = new HashMap<>();
      config.put("floe.sandbox.max-result-file-mb", Integer.toString(FILE_LIMIT_MB));
      config.put("floe.runners.warm", Integer.toString(warm()));
      config.put("floe.catalogs.lake.properties.s3.secret-access-key", canary());
      config.put("floe.catalogs.lake.writer-properties.type", "sql");
      config.put(
          "floe.catalogs.lake.writer-properties.uri", "sqlite:///${floe.home}/catalog/catalog.db");
      config.put("floe.catalogs.lake.writer-properties.warehouse", "file://${floe.home}/warehouse");
      config.put("floe.catalogs.lake.writer-properties.s3.secret-access-key", canary());
      config.put("floe.catalogs.other.type", "jdbc");
      config.put("floe.catalogs.other.uri", "jdbc:sqlite:${floe.home}/other/catalog.db");
      config.put("floe.catalogs.other.warehouse", "${floe.home}/other/warehouse");
      config.put("floe.catalogs.other.demo", "true");
      config.put("quarkus.log.file.enabled", "true");
      config.put("quarkus.log.file.path", SERVICE_LOG.toString());
      return config;
    }
  }

  @ConfigProperty(name = "quarkus.http.test-port")
  int port;

  @ConfigProperty(name = "floe.catalogs.lake.writer-properties.s3.secret-access-key")
  String configuredCanary;

  private static Path secretsFile;
  private static Path tmpSecret;
  private static Path targetSecret;

  @BeforeAll
  static void plantSecretFiles() throws IOException {
    secretsFile = TempLake.home().resolve("service-secrets.env");
    Files.writeString(secretsFile, "AWS_SECRET_ACCESS_KEY=" + canary() + "\n");
    Path tmpDir = Files.createTempDirectory("floe-hostile-");
    tmpSecret = Files.writeString(tmpDir.resolve("credentials"), "secret=" + canary() + "\n");
    targetSecret =
        Files.writeString(
            Path.of("target/hostile-canary.properties").toAbsolutePath(),
            "floe.catalogs.lake.writer-properties.s3.secret-access-key=" + canary() + "\n");
  }

  @AfterAll
  static void theCanaryNeverReachedTheServiceLog() throws IOException {
    Files.deleteIfExists(targetSecret);
    Files.deleteIfExists(tmpSecret);
    Files.deleteIfExists(tmpSecret.getParent());
    String log = Files.readString(SERVICE_LOG);
    assertTrue(log.contains("runners: fork"), "the service log was captured");
    assertFalse(log.contains(canary()), "the canary secret is in the service's log");
  }

  @Inject WarmPool pool;

  @AfterEach
  void nothingOfAnyRunIsLeftAndTheServiceServes() {
    assertNoRunLeftovers();
    Workloads.query("SELECT 1 AS x", List.of())
        .statusCode(200)
        .body("results.rows", equalTo(List.of(List.of(1))));
  }

  @Test
  @Order(1)
  void row01MemoryBombIsOutOfMemoryNamingTheLimitAndSavesNothing() {
    long rssBefore = serviceRssMb();
    String id =
        hostile(
                "01_memory_bomb.py",
                Map.of("variant", "grow"),
                Map.of("memoryMb", 512),
                "hostile.never_saved")
            .statusCode(422)
            .body("error_code", equalTo("OUT_OF_MEMORY"))
            .body("error", containsString("512 MB"))
            .extract()
            .path("run_id");
    assertNoRunLeftovers();
    assertRssGrewLessThan256MbSince(rssBefore);
    given()
        .get("/api/v1/catalogs/lake/namespaces/hostile/tables/never_saved")
        .then()
        .statusCode(404);

    hostile("01_memory_bomb.py", Map.of("variant", "huge"), Map.of("memoryMb", 512), null)
        .statusCode(422)
        .body("error_code", equalTo("OUT_OF_MEMORY"))
        .body("error", containsString("512 MB"));
  }

  @Test
  @Order(2)
  void row02LegitimateMultithreadedJoinOfOneGigabyteSucceedsUnderTheDefaultLimits() {
    // 45M rows x 3 int64/float64 columns = 1030 MB materialized, joined and grouped; no limits
    // in the request: the server's defaults (4096 MB, 300 s, max-threads = cores) must carry it.
    int cores = Runtime.getRuntime().availableProcessors();
    ExtractableResponse<Response> r =
        hostile("02_legit_join.py", Map.of("rows", 45_000_000), Map.of(), null)
            .statusCode(200)
            .extract();
    Map<String, Object> row = firstRow(r);
    assertEquals(true, row.get("correct"), row.toString());
    assertTrue(((Number) row.get("fact_mb")).intValue() >= 1000, row.toString());
    assertEquals(cores, ((Number) row.get("polars_threads")).intValue(), row.toString());
    assertTrue(((Number) row.get("max_os_threads")).intValue() > cores, row.toString());
    assertTrue(((Number) row.get("seconds")).doubleValue() < 60, row.toString());
  }

  @Test
  @Order(2)
  void cpuQuotaFollowsTheRunsThreads() {
    given()
        .get("/q/health/ready")
        .then()
        .body("checks.find { it.name == 'sandbox' }.data.limits", containsString("cpu"));
    // vcpus 1: two busy processes share one CPU of quota, whatever the machine has free.
    Map<String, Object> body = new HashMap<>();
    body.put("mode", "script");
    body.put(
        "script",
        "import os, subprocess, time\n"
            + "cpu_line = [l for l in open('/proc/self/cgroup') if ':cpu' in l or 'cpu,' in l]\n"
            + "procs = [subprocess.Popen(['sh', '-c', 'end=$(($(date +%s) + 3)); while [ $(date"
            + " +%s) -lt $end ]; do :; done']) for _ in range(2)]\n"
            + "t0 = time.time()\n"
            + "[p.wait() for p in procs]\n"
            + "wall = time.time() - t0\n"
            + "t = os.times()\n"
            + "result = pl.DataFrame({'ratio': [(t.children_user + t.children_system) / wall],"
            + " 'in_run_cpu_group': ['/floe-runs-' in ''.join(cpu_line)]})\n");
    body.put("vcpus", 1);
    Map<String, Object> row = firstRow(post(body).statusCode(200).extract());
    assertEquals(true, row.get("in_run_cpu_group"), row.toString());
    assertTrue(((Number) row.get("ratio")).doubleValue() < 1.3, "CPU/wall " + row);
  }

  @Test
  @Order(3)
  void row03ForkAndThreadBombsStopAtThePidsLimit() {
    for (String variant : List.of("fork", "thread")) {
      String id =
          scriptError(
                  "03_fork_bomb.py", Map.of("variant", variant), "limit on processes and threads")
              .extract()
              .path("run_id");
      assertNoRunLeftovers();
    }
  }

  // ---- rows 4, 5 ----

  @Test
  @Order(4)
  void row04BusyLoopAndEndlessSleepTimeOutWithTheTreeGone() {
    for (String variant : List.of("busy", "sleep")) {
      String marker = "floe-hostile-" + UUID.randomUUID();
      timesOutAt3SecondsWithTheTreeGone("04_busy_loop.py", Map.of("variant", variant), marker)
          .body("error", containsString("3 s"));
    }
  }

  @Test
  @Order(5)
  void row05IgnoringSigtermDoesNotSurviveTheTimeLimit() {
    String marker = "floe-hostile-" + UUID.randomUUID();
    timesOutAt3SecondsWithTheTreeGone("05_ignore_sigterm.py", Map.of(), marker);
  }

  @Test
  @Order(6)
  void row06ADaemonizedGrandchildDiesWithTheRun() {
    String marker = "floe-hostile-" + UUID.randomUUID();
    String id =
        hostile("06_daemonize.py", Map.of("marker", marker), Map.of(), null)
            .statusCode(200)
            .body("results.rows", equalTo(List.of(List.of(true))))
            .extract()
            .path("run_id");
    assertNoProcessWith(marker);
    assertNoRunLeftovers();
  }

  @Test
  @Order(6)
  void row06CancellingARunKillsItsDaemonizedGrandchildToo() throws Exception {
    // What a DELETE of an async run (or a client that goes away) calls: the runner's cancel.
    String marker = "floe-hostile-" + UUID.randomUUID();
    Runner runner = pool.take().runner();
    try {
      RunJob job =
          Jobs.script(
              runner.files(), fixture("06_daemonize.py"), Map.of("marker", marker, "linger", true));
      RunHandle handle =
          runner.handOver(
              job,
              Jobs.budget(),
              new dev.floe.sandbox.BoundedLog(8192),
              request -> Map.of("ok", false, "error_code", "FORBIDDEN", "message", "none"));
      awaitValue(() -> processWith(marker), Duration.ofSeconds(30), "the daemonized grandchild");
      long t0 = System.nanoTime();
      handle.cancel();
      assertNoProcessWith(marker);
      RunnerExit result = handle.await();
      assertTrue(result.cancelled(), result.toString());
      assertTrue(Duration.ofNanos(System.nanoTime() - t0).toSeconds() < 10, "slow cancel");
      // A runner takes one job only: after its run, a second one is refused.
      assertEquals(
          "runner " + runner.id() + " cannot take a job: it is RUNNING",
          org.junit.jupiter.api.Assertions.assertThrows(
                  IllegalStateException.class,
                  () ->
                      runner.handOver(
                          job,
                          Jobs.budget(),
                          new dev.floe.sandbox.BoundedLog(8),
                          request -> Map.of()))
              .getMessage());
    } finally {
      runner.discard(); // the workload service's part, not the runner's
    }
    assertNoRunLeftovers();
  }

  @Test
  @Order(7)
  void row07FloodingStdoutTruncatesTheLogsNotTheResult() {
    long rssBefore = serviceRssMb();
    for (Map<String, Object> params :
        List.<Map<String, Object>>of(
            Map.of("variant", "flood", "mb", 1024), Map.of("variant", "line", "mb", 100))) {
      String logs =
          hostile("07_stdout_flood.py", params, Map.of(), null)
              .statusCode(200)
              .body(
                  "results.rows",
                  equalTo(List.of(List.of(params.get("mb"), params.get("variant")))))
              .body("logs", startsWith("FIRST-LINE-OF-THE-RUN\n"))
              .body("logs", endsWith("LAST-LINE-OF-THE-RUN\n"))
              .body("logs", containsString("bytes of output truncated]"))
              .extract()
              .path("logs");
      // floe.limits.log-bytes (64 KiB, head + tail) plus the marker line.
      assertTrue(logs.length() < 65_536 + 200, "logs of " + logs.length() + " chars");
    }
    assertRssGrewLessThan256MbSince(rssBefore);
  }

  @Test
  @Order(8)
  void row08ABillionRowResultIsRefusedOrStreamedNeverHeld() {
    long rssBefore = serviceRssMb();
    overTheResultFileLimit("08_billion_rows.py", Map.of("variant", "int8"))
        .body("error", containsString("floe.sandbox.max-result-file-mb"));
    hostile("08_billion_rows.py", Map.of("variant", "nulls"), Map.of("maxRows", 5), null)
        .statusCode(200)
        .body("row_count", equalTo(1_000_000_000))
        .body("results.rows", hasSize(5))
        .body("truncated", equalTo(true));
    hostile(
            "08_billion_rows.py",
            Map.of("variant", "mid", "rows", 20_000_000),
            Map.of("maxResultBytes", 1_000_000),
            null)
        .statusCode(413)
        .body("error_code", equalTo("LIMIT_EXCEEDED"))
        .body("error", containsString("limit of 1000000 bytes"));
    assertRssGrewLessThan256MbSince(rssBefore);
  }

  @Test
  @Order(9)
  void row09FillingTheDiskIsBoundedWithAClearError() {
    scriptError("09_fill_scratch.py", Map.of("variant", "tmp"), "No space left on device");
    Map<String, Object> filled =
        firstRow(
            hostile("09_fill_scratch.py", Map.of("variant", "tmp_report"), Map.of(), null)
                .statusCode(200)
                .extract());
    // floe.sandbox.scratch-mb (512) bounds it, not the host's disk.
    assertEquals("ENOSPC", filled.get("errno"));
    int written = ((Number) filled.get("written_mb")).intValue();
    assertTrue(written > 400 && written <= 512, "wrote " + written + " MB to /tmp");

    scriptError("09_fill_scratch.py", Map.of("variant", "outdir"), "Read-only file system");
    overTheResultFileLimit("09_fill_scratch.py", Map.of("variant", "result"));
  }

  // ---- rows 10, 11 ----

  private static final Set<String> SANDBOX_ENV =
      Set.of(
          "PATH",
          "HOME",
          "TMPDIR",
          "LANG",
          "POLARS_MAX_THREADS",
          "POLARS_ICEBERG_PLANNER",
          "PWD",
          "_RJEM_MALLOC_CONF",
          "JE_ARROW_MALLOC_CONF",
          "LC_CTYPE");

  @Test
  @Order(10)
  void row10NoServiceSecretInAnyEnvironmentOrProcessARunCanSee() {
    assertEquals(canary(), configuredCanary, "the canary is in the service's config");
    ExtractableResponse<Response> r =
        hostile("10_read_environment.py", Map.of("service_pid", JVM_PID), Map.of(), null)
            .statusCode(200)
            .extract();
    assertFalse(r.asString().contains(canary()), "the canary leaked into the response");
    List<Map<String, Object>> rows = rows(r);
    Set<String> envNames = Set.copyOf(r.jsonPath().getList("results.rows[0][4]", String.class));
    assertTrue(SANDBOX_ENV.containsAll(envNames), "variables beyond the harness's: " + envNames);
    for (String serviceVariable : System.getenv().keySet()) {
      if (!SANDBOX_ENV.contains(serviceVariable)) {
        assertFalse(envNames.contains(serviceVariable), serviceVariable + " reached the run");
      }
    }
    assertTrue(((Number) rows.get(0).get("visible_pids")).intValue() < 10, rows.get(0).toString());
    for (Map<String, Object> row : rows) {
      String place = (String) row.get("place");
      @SuppressWarnings("unchecked")
      List<String> hits = (List<String>) row.get("hits");
      if (place.startsWith("/proc/" + JVM_PID + "/")) {
        assertEquals(false, row.get("readable"), place + " was readable");
      } else if (Boolean.TRUE.equals(row.get("readable"))) {
        assertEquals(List.of(), hits, "secret-shaped strings in " + place);
      }
    }
  }

  @Test
  @Order(11)
  void row11NoServiceConfigKeysCatalogWritersOrOtherRunsAreVisible() throws Exception {
    // Short enough that the fixture's 60-character excerpt of a hit holds all of it.
    String control = "FLOECANARY-control-" + UUID.randomUUID().toString().substring(0, 8);
    String otherTenant = "FLOECANARY-other-tenant-" + UUID.randomUUID();
    // Another tenant's run is going on meanwhile, its secret in its own job and scratch space.
    CompletableFuture<HttpResponse<String>> other =
        postAsync(
            Map.of(
                "mode",
                "script",
                "script",
                "import time\nopen('/tmp/secret', 'w').write(params['s'])\ntime.sleep(6)\n"
                    + "result = pl.DataFrame({'done': [True]})\n",
                "params",
                Map.of("s", otherTenant)));
    awaitTrue(() -> claimedRunners().size() == 1, Duration.ofSeconds(20), "the other run started");
    List<String> paths =
        List.of(
            secretsFile.toString(),
            tmpSecret.toString(),
            targetSecret.toString(),
            Path.of("src/main/resources/application.properties").toAbsolutePath().toString(),
            TempLake.home().resolve("other/catalog.db").toString());
    Map<String, Object> params = new HashMap<>();
    params.put("paths", paths);
    params.put("control", control);
    params.put("home", TempLake.home().toString());
    params.put("catalog_db", catalogDb().toString());
    params.put("runners", TempLake.home().resolve("runners").toString());
    ExtractableResponse<Response> r =
        hostile("11_read_secrets.py", params, Map.of(), null).statusCode(200).extract();
    String body = r.asString();
    assertFalse(body.contains(canary()), "the canary leaked into the response");
    assertFalse(body.contains(otherTenant), "another run's secret leaked into the response");
    Map<String, String> status = new HashMap<>();
    List<String> hits = new ArrayList<>();
    for (Map<String, Object> row : rows(r)) {
      status.put((String) row.get("place"), (String) row.get("status"));
      @SuppressWarnings("unchecked")
      List<String> found = (List<String>) row.get("hits");
      hits.addAll(found);
    }
    // The search works (it finds the control the run planted in its own /tmp) and nothing else.
    assertFalse(hits.isEmpty(), "the control string was not found: the search is broken");
    assertTrue(hits.stream().allMatch(h -> h.startsWith(control)), "found: " + hits);
    for (String path : paths) {
      assertEquals("ENOENT", status.get(path), path + " is visible to a run");
    }
    assertTrue(Set.of("EACCES", "ENOENT").contains(status.get("/etc/shadow")), status.toString());
    assertEquals("ENOENT", status.get("/root/.aws/credentials"));
    // Neither the catalog database nor any runner's directory exists for a run; of the service's
    // home only the harness is there, and the warehouses (this test home is under /tmp, so each
    // runner binds them over its own /tmp at start) are there empty: no table was granted.
    assertEquals("ENOENT", status.get(catalogDb().toString()));
    assertEquals("ENOENT", status.get(TempLake.home().resolve("runners").toString()));
    assertTrue(
        Set.of("harness", "warehouse", "other")
            .containsAll(List.of(status.get("home").substring("dir:".length()).split(","))),
        status.get("home"));
    assertEquals(200, other.get().statusCode(), other.get().body());
  }

  @Test
  @Order(12)
  void row12TheLakeTheCatalogTheInterpreterAndTheHarnessAreReadOnly() throws IOException {
    String name = "floe_hostile_" + UUID.randomUUID().toString().replace("-", "");
    Map<String, String> outcome =
        outcome(
            "12_write_protected.py",
            Map.of(
                "name",
                name,
                "warehouse",
                TempLake.home().resolve("warehouse").toString(),
                "catalog_db",
                catalogDb().toString()));
    outcome.forEach(
        (target, result) ->
            assertFalse(
                Set.of("written", "None").contains(result), target + " was writable: " + result));
    assertEquals(18, outcome.size(), outcome.toString());
    for (Path root : List.of(TempLake.home(), TempLake.projectHome().resolve("venv"))) {
      try (Stream<Path> walk = Files.walk(root)) {
        assertTrue(
            walk.noneMatch(p -> p.getFileName().toString().startsWith(name)),
            "a file of the run appeared under " + root);
      }
    }
    given()
        .get("/api/v1/catalogs/lake/namespaces")
        .then()
        .statusCode(200)
        .body(not(containsString(name)));
    Workloads.query("SELECT COUNT(*) AS n FROM flowers", Workloads.FLOWERS)
        .statusCode(200)
        .body("results.rows[0][0]", equalTo(150));
  }

  @Test
  @Order(13)
  void row13LinksPlantedForTheHostAreNeverFollowed() {
    Map<String, String> outcome = outcome("13_plant_links.py", plantLinks("report"));
    Map<String, String> expected = new LinkedHashMap<>();
    expected.put("unlink_result", "EROFS");
    expected.put("symlink_over_result", "EEXIST");
    expected.put("rename_over_result", "EXDEV");
    expected.put("unlink_error", "EROFS");
    expected.put("symlink_over_error", "EEXIST");
    expected.put("symlink_in_out", "EROFS");
    expected.put("hardlink_db_in_out", "ENOENT"); // the catalog database does not exist for it
    expected.put("hardlink_db_in_tmp", "ENOENT");
    expected.put("hardlink_error_in_tmp", "EXDEV");
    expected.put("symlink_in_tmp", "done"); // the run's own tmpfs: the host never reads it
    expected.put("mkfifo_in_out", "EROFS");
    expected.put("result_is_plain_file", "True");
    expected.put("result_size", "0");
    assertEquals(expected, outcome);
    // Plant, then leave with status 0 and no result: the host reads nothing of the target.
    scriptError(
            "13_plant_links.py",
            plantLinks("exit"),
            "exited with status 0 before producing a result")
        .body(not(containsString(canary())));
  }

  @Test
  @Order(14)
  void row14NoNetworkNotEvenLoopback() {
    Map<String, String> outcome = outcome("14_network.py", Map.of("port", port));
    for (String probe :
        List.of(
            "tcp4_service_port",
            "tcp6_service_port",
            "udp4_loopback",
            "netlink_route",
            "packet",
            "vsock",
            "raw_icmp",
            "if_nameindex")) {
      assertEquals("EAFNOSUPPORT", outcome.get(probe), probe);
    }
    assertEquals("opened", outcome.get("unix_socketpair"));
    assertEquals("lo", outcome.get("interfaces"));
  }

  @Test
  @Order(15)
  void row15NoPrivilegeGain() {
    Map<String, String> outcome = outcome("15_privilege.py");
    assertEquals("EPERM", outcome.get("setuid_0"));
    assertEquals("EPERM", outcome.get("setgid_0"));
    assertEquals("EPERM", outcome.get("setresuid_0"));
    assertEquals("exit 0: 65534", outcome.get("id_via_subprocess"));
    assertEquals("65534", outcome.get("id_via_os_system"));
    for (String tool : List.of("su_root", "mount_tmpfs", "unshare_r")) {
      assertFalse(outcome.get(tool).startsWith("exit 0"), tool + ": " + outcome.get(tool));
    }
    // setuid-root binaries exist in the sandbox (it binds /usr): no-new-privs makes them inert.
    assertTrue(outcome.get("setuid_binaries_present").contains("su"), outcome.toString());
    assertEquals("65534\t65534\t65534\t65534", outcome.get("status_Uid"));
    for (String caps : List.of("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb")) {
      assertEquals("0000000000000000", outcome.get("status_" + caps), caps);
    }
    assertEquals("1", outcome.get("status_NoNewPrivs"));
    assertEquals("2", outcome.get("status_Seccomp"));
    assertEquals("65534", outcome.get("euid"));
  }

  @Test
  @Order(16)
  void row16EscapeSyscallsAreDenied() {
    Map<String, String> outcome = outcome("16_syscalls.py");
    assertEquals(28, outcome.size(), outcome.toString());
    outcome.forEach(
        (call, result) ->
            assertEquals(
                call.equals("clone3") ? "ENOSYS" : "EPERM", result, call + " was not denied"));
  }

  @Test
  @Order(17)
  void row17CrashesAndKillAllEndOnlyTheRun() throws Exception {
    scriptError("17_crash.py", Map.of("variant", "segv"), "signal 11 (SIGSEGV)");
    scriptError("17_crash.py", Map.of("variant", "abort"), "signal 6 (SIGABRT)");
    // kill(-1, SIGKILL) while another run is going on: only the killer's own run dies.
    CompletableFuture<HttpResponse<String>> bystander = sleeper(8);
    awaitTrue(() -> claimedRunners().size() == 1, Duration.ofSeconds(20), "the bystander started");
    scriptError("17_crash.py", Map.of("variant", "kill_all"), "signal 9 (SIGKILL)");
    assertSurvived(bystander);
  }

  @Test
  @Order(18)
  void row18AnotherTenantsRunCanBeNeitherSignalledNorRead() throws Exception {
    String victimMarker = "floe-victim-" + UUID.randomUUID();
    CompletableFuture<HttpResponse<String>> victim = sleeper(8, Map.of("marker", victimMarker));
    long victimPid =
        awaitValue(this::claimedRunnersRunProcess, Duration.ofSeconds(20), "the victim's process");
    Map<String, String> outcome =
        outcome(
            "18_other_tenant.py",
            Map.of(
                "victim_pid",
                victimPid,
                "victim_marker",
                victimMarker,
                "runners",
                TempLake.home().resolve("runners").toString()));
    assertEquals("ESRCH", outcome.get("kill_victim_pid"), outcome.toString());
    for (String what : List.of("read_environ", "read_cmdline", "read_mem")) {
      assertEquals("ENOENT", outcome.get(what), what);
    }
    assertEquals("0", outcome.get("victim_processes_visible"));
    assertEquals("False", outcome.get("runner_dirs_visible"));
    assertEquals("0", outcome.get("victim_files_found"));
    assertSurvived(victim);
  }

  @Test
  @Order(19)
  void row19ForgedProtocolCannotAlterTheResult() {
    hostile("19_forge_protocol.py", Map.of("variant", "stdout"), Map.of(), null)
        .statusCode(200)
        .body("results.columns", equalTo(List.of("real")))
        .body("results.rows", equalTo(List.of(List.of("REAL"))))
        .body("logs", containsString("FORGED"));
    for (String code :
        List.of("SANDBOX_UNAVAILABLE", "LIMIT_EXCEEDED", "TIMEOUT", "INVALID_REQUEST")) {
      hostile("19_forge_protocol.py", Map.of("variant", "error_file", "code", code), Map.of(), null)
          .statusCode(422)
          .body("error_code", equalTo("SCRIPT_ERROR"))
          .body(not(containsString("FORGED MESSAGE")));
    }
    // 50 MB of error file: not parsed, not echoed.
    String huge =
        hostile("19_forge_protocol.py", Map.of("variant", "huge_error_file"), Map.of(), null)
            .statusCode(422)
            .body("error_code", equalTo("SCRIPT_ERROR"))
            .extract()
            .asString();
    assertTrue(huge.length() < 10_000, "an answer of " + huge.length() + " chars");
    // A 1 KB result whose batch claims 1 TB: an invalid result, never an allocation of 1 TB.
    for (long claimed : List.of(1L << 30, 1L << 40)) {
      hostile(
              "19_forge_protocol.py",
              Map.of("variant", "forged_arrow", "body", claimed),
              Map.of(),
              null)
          .statusCode(422)
          .body("success", equalTo(false))
          .body("error_code", equalTo("RESULT_WRONG_TYPE"))
          .body("error", containsString("not a complete Arrow stream"));
    }
  }

  @Test
  @Order(20)
  void row20ShadowModulesAreIgnored() {
    String venvPolars =
        TempLake.projectHome()
            .resolve("venv/lib/python3.11/site-packages/polars/__init__.py")
            .toString();
    Map<String, String> planted = outcome("20_shadow_modules.py", Map.of("variant", "plant"));
    assertEquals("EROFS", planted.get("plant_in_out_dir"));
    assertEquals(venvPolars, planted.get("child_imported"), planted.toString());
    assertEquals(venvPolars, planted.get("polars_file"));
    assertEquals(
        "isolated=1 ignore_environment=1 no_user_site=1 safe_path=True", planted.get("flags"));
    assertEquals("False", planted.get("path_has_cwd_or_tmp"));
    assertEquals("None", planted.get("sitecustomize"));
    assertEquals("None", planted.get("pythonpath_env"));
    Map<String, String> next = outcome("20_shadow_modules.py", Map.of("variant", "check"));
    assertEquals("", next.get("tmp_contents"), "a previous run's files are in this run's /tmp");
    assertEquals(venvPolars, next.get("polars_file"));
  }

  @Test
  @Order(21)
  void row21FileDescriptorsAreBoundedWithAClearError() {
    Map<String, Object> row =
        firstRow(
            hostile("21_fd_exhaustion.py", Map.of("variant", "report"), Map.of(), null)
                .statusCode(200)
                .extract());
    assertEquals("EMFILE", row.get("errno"));
    assertEquals(1024, ((Number) row.get("soft")).intValue());
    assertEquals(1024, ((Number) row.get("hard")).intValue());
    assertTrue(((Number) row.get("opened")).intValue() < 1024, row.toString());
    assertEquals("ValueError", row.get("raise_limit"), "the run raised its own fd limit");
    scriptError("21_fd_exhaustion.py", Map.of("variant", "raise"), "1024")
        .body("error", containsString("open"));
  }

  @Test
  @Order(22)
  void row22TablesNamespacesAndCatalogsARequestDidNotNameAreOutOfReach() {
    // Floe has no per-caller ACLs yet (every caller is "anonymous"): what is checked is that a run
    // reaches only the catalog its request names, and that unknown names give 404s with no data.
    Path otherDb = TempLake.home().resolve("other/catalog.db");
    Path otherWarehouse = TempLake.home().resolve("other/warehouse");
    assertTrue(Files.exists(otherDb) && Files.isDirectory(otherWarehouse), "the other catalog");
    Map<String, String> outcome =
        outcome(
            "22_other_catalog.py",
            Map.of("db", otherDb.toString(), "warehouse", otherWarehouse.toString()));
    assertEquals("ENOENT", outcome.get("db"));
    // Absent, or (a test home under /tmp) the empty directory a runner binds at start.
    assertTrue(Set.of("ENOENT", "listed: ").contains(outcome.get("warehouse")), outcome.toString());
    assertEquals("OperationalError", outcome.get("pyiceberg"));
    // The same table is readable when the request names that catalog (so the files are real).
    post(Map.of(
            "mode",
            "query",
            "catalog",
            "other",
            "query",
            "SELECT COUNT(*) AS n FROM f",
            "tables",
            List.of("f=default.flowers")))
        .statusCode(200)
        .body("results.rows[0][0]", equalTo(150));
    Workloads.query("SELECT * FROM t", List.of("t=secret_ns.accounts"))
        .statusCode(404)
        .body("error_code", equalTo("NAMESPACE_NOT_FOUND"))
        .body("results", equalTo(null));
    Workloads.query("SELECT * FROM t", List.of("t=default.accounts"))
        .statusCode(404)
        .body("error_code", equalTo("TABLE_NOT_FOUND"));
    post(Map.of("mode", "query", "catalog", "nope", "query", "SELECT 1 AS x"))
        .statusCode(404)
        .body("error_code", equalTo("CATALOG_NOT_FOUND"));
    Workloads.script("result = scan('secret_ns.accounts')\n")
        .statusCode(404)
        .body("error_code", equalTo("NAMESPACE_NOT_FOUND"));
  }

  @Test
  @Order(23)
  void row23PoisonedDestinationsAreRefusedBeforeAnythingRuns() {
    String marker = "floe-hostile-" + UUID.randomUUID();
    for (String destination :
        List.of(
            "../x",
            "a.b.c",
            "ns.\"x",
            "ns.x'; DROP TABLE iceberg_tables; --",
            "/etc.passwd",
            "ns./x",
            "ns.",
            ".x",
            "ns.x\u0000",
            "ns.x y",
            " ")) {
      long t0 = System.nanoTime();
      hostile("23_poisoned_destination.py", Map.of("marker", marker), Map.of(), destination)
          .statusCode(400)
          .body("error_code", equalTo("INVALID_REQUEST"));
      assertTrue(Duration.ofNanos(System.nanoTime() - t0).toMillis() < 3000, destination);
      assertTrue(claimedRunners().isEmpty(), "a run was started for " + destination);
      assertNoProcessWith(marker);
    }
    Workloads.query("SELECT * FROM t", List.of("t=../etc.passwd"))
        .statusCode(400)
        .body("error_code", equalTo("INVALID_REQUEST"));
    assertTrue(claimedRunners().isEmpty());
  }

  @Test
  @Order(24)
  void row24AnAbandonedConnectionFreesItsRunAndSlowClientsBlockNoOne() throws Exception {
    String marker = "floe-hostile-" + UUID.randomUUID();
    String body =
        JSON.writeValueAsString(
            Map.of(
                "mode",
                "script",
                "script",
                fixture("24_abandoned_connection.py"),
                "params",
                Map.of("marker", marker),
                "limits",
                Map.of("timeoutSeconds", 8)));
    long abandoned;
    try (Socket socket = new Socket("127.0.0.1", port)) {
      OutputStream out = socket.getOutputStream();
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      out.write(
          ("POST "
                  + Workloads.PATH
                  + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                  + "Authorization: "
                  + TempLake.adminAuthorization()
                  + "\r\n"
                  + "Content-Length: "
                  + bytes.length
                  + "\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.write(bytes);
      out.flush();
      awaitTrue(() -> processWith(marker).isPresent(), Duration.ofSeconds(20), "the run started");
      abandoned = System.nanoTime();
    }
    // Slow clients: connections that send half a request, a byte at a time, hold nothing else up.
    List<Socket> slow = new ArrayList<>();
    try {
      for (int i = 0; i < 32; i++) {
        Socket s = new Socket("127.0.0.1", port);
        s.getOutputStream()
            .write(("POST " + Workloads.PATH + " HTTP/1.1\r\nHost: x\r\n").getBytes());
        slow.add(s);
      }
      for (int round = 0; round < 3; round++) {
        for (Socket s : slow) {
          s.getOutputStream().write('X');
          s.getOutputStream().flush();
        }
        long t0 = System.nanoTime();
        given().get("/q/health/live").then().statusCode(200);
        Workloads.query("SELECT 1 AS x", List.of()).statusCode(200);
        assertTrue(Duration.ofNanos(System.nanoTime() - t0).toSeconds() < 30, "service blocked");
      }
    } finally {
      for (Socket s : slow) {
        s.close();
      }
    }
    // The abandoned run ends at its time limit at the latest, and takes everything with it.
    awaitTrue(
        () -> processWith(marker).isEmpty() && claimedRunners().isEmpty(),
        Duration.ofSeconds(30),
        "the abandoned run's processes");
    assertNoRunLeftovers();
    long freedAfter = Duration.ofNanos(System.nanoTime() - abandoned).toSeconds();
    assertTrue(freedAfter <= 8 + 10, "freed " + freedAfter + " s after the client left");
  }

  // ---- helpers ----

  private static ValidatableResponse hostile(
      String name, Map<String, ?> params, Map<String, ?> limits, String destination) {
    Map<String, Object> body = new HashMap<>();
    body.put("mode", "script");
    body.put("script", fixture(name));
    Map<String, Object> withPaths = new HashMap<>(params);
    // Where a run sees its output directory (the fixtures that attack it are told, not guessing).
    withPaths.putIfAbsent("out", RunnerFiles.SANDBOX_OUT);
    body.put("params", withPaths);
    if (!limits.isEmpty()) {
      body.put("limits", limits);
    }
    if (destination != null) {
      body.put("destination", destination);
    }
    return post(body);
  }

  /** The fixture's run fails as its script's error (422 SCRIPT_ERROR), the error saying so. */
  private static ValidatableResponse scriptError(String name, Map<String, ?> params, String says) {
    return hostile(name, params, Map.of(), null)
        .statusCode(422)
        .body("error_code", equalTo("SCRIPT_ERROR"))
        .body("error", containsString(says));
  }

  /** The fixture's run writes a result over floe.sandbox.max-result-file-mb: 413, naming it. */
  private static ValidatableResponse overTheResultFileLimit(String name, Map<String, ?> params) {
    return hostile(name, params, Map.of(), null)
        .statusCode(413)
        .body("error_code", equalTo("LIMIT_EXCEEDED"))
        .body("error", containsString(FILE_LIMIT_MB + " MB"));
  }

  /**
   * The fixture's run, which never ends by itself, is stopped at a time limit of 3 s (TIMEOUT) and
   * soon, with no process left that carries {@code marker} (a parameter of the run).
   */
  private ValidatableResponse timesOutAt3SecondsWithTheTreeGone(
      String name, Map<String, ?> params, String marker) {
    Map<String, Object> marked = new HashMap<>(params);
    marked.put("marker", marker);
    long t0 = System.nanoTime();
    ValidatableResponse response =
        hostile(name, marked, Map.of("timeoutSeconds", 3), null)
            .statusCode(504)
            .body("error_code", equalTo("TIMEOUT"));
    assertTrue(Duration.ofNanos(System.nanoTime() - t0).toSeconds() < 15, "slow to stop");
    assertNoProcessWith(marker);
    assertNoRunLeftovers();
    return response;
  }

  /** Row 13's parameters: links to plant aimed at the secrets file and the catalog database. */
  private static Map<String, Object> plantLinks(String variant) {
    return Map.of(
        "variant", variant, "target", secretsFile.toString(), "catalog_db", catalogDb().toString());
  }

  private static Path catalogDb() {
    return TempLake.home().resolve("catalog/catalog.db");
  }

  /** A run of {@code seconds} that answers "survived" unless something killed it. */
  private CompletableFuture<HttpResponse<String>> sleeper(int seconds) {
    return sleeper(seconds, Map.of());
  }

  /** As {@link #sleeper(int)}, with {@code params} (if any) for the run. */
  private CompletableFuture<HttpResponse<String>> sleeper(int seconds, Map<String, Object> params) {
    Map<String, Object> body = new HashMap<>();
    body.put("mode", "script");
    body.put(
        "script",
        "import time\ntime.sleep("
            + seconds
            + ")\nresult = pl.DataFrame({'state': ['survived']})\n");
    if (!params.isEmpty()) {
      body.put("params", params);
    }
    return postAsync(body);
  }

  /** The sleeper's run ended well: nothing killed it. */
  private static void assertSurvived(CompletableFuture<HttpResponse<String>> sleeper)
      throws Exception {
    HttpResponse<String> survived = sleeper.get();
    assertEquals(200, survived.statusCode(), survived.body());
    assertTrue(survived.body().contains("\"rows\":[[\"survived\"]]"), survived.body());
  }

  private CompletableFuture<HttpResponse<String>> postAsync(Map<String, Object> body) {
    try {
      HttpRequest request =
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + Workloads.PATH))
              .header("content-type", "application/json")
              .header("Authorization", TempLake.adminAuthorization())
              .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
              .build();
      return HttpClient.newHttpClient().sendAsync(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<Map<String, Object>> rows(ExtractableResponse<Response> r) {
    List<String> columns = r.jsonPath().getList("results.columns", String.class);
    List<List<Object>> rows = r.jsonPath().getList("results.rows");
    List<Map<String, Object>> out = new ArrayList<>();
    for (List<Object> row : rows) {
      Map<String, Object> m = new LinkedHashMap<>();
      for (int i = 0; i < columns.size(); i++) {
        m.put(columns.get(i), row.get(i));
      }
      out.add(m);
    }
    return out;
  }

  private static Map<String, Object> firstRow(ExtractableResponse<Response> r) {
    return rows(r).get(0);
  }

  /** The table a fixture run with no parameters answers (it must succeed). */
  private static Map<String, String> outcome(String fixture) {
    return outcome(fixture, Map.of());
  }

  /** The table a fixture run answers (it must succeed). */
  private static Map<String, String> outcome(String fixture, Map<String, ?> params) {
    return table(hostile(fixture, params, Map.of(), null).statusCode(200).extract());
  }

  /** A two-column result (name, outcome) as a map. */
  private static Map<String, String> table(ExtractableResponse<Response> r) {
    Map<String, String> out = new LinkedHashMap<>();
    for (List<Object> row : r.jsonPath().<List<Object>>getList("results.rows")) {
      out.put(String.valueOf(row.get(0)), String.valueOf(row.get(1)));
    }
    return out;
  }

  private static void assertRssGrewLessThan256MbSince(long rssBeforeMb) {
    assertTrue(
        serviceRssMb() - rssBeforeMb < 256,
        "the service's RSS grew by " + (serviceRssMb() - rssBeforeMb) + " MB");
  }

  private static long serviceRssMb() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("\\D", "")) / 1024;
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    throw new IllegalStateException("no VmRSS");
  }

  /** Runners that some run has (had): everything with a cgroup but the warm pool's own. */
  private Set<String> claimedRunners() {
    Set<String> claimed = new java.util.TreeSet<>(RunSandboxes.runnersWithCgroups());
    claimed.removeAll(pool.unclaimedRunners());
    return claimed;
  }

  /** The process that runs a claimed runner's job: PID 2 in its namespace. */
  private Optional<Long> claimedRunnersRunProcess() {
    Set<String> claimed = claimedRunners();
    return ProcessHandle.allProcesses()
        .map(ProcessHandle::pid)
        .filter(
            pid -> {
              String groups = RunSandboxes.cgroupOf(pid);
              return claimed.stream().anyMatch(r -> groups.contains("/" + r + "\n"))
                  && nsPid(pid).endsWith("\t2");
            })
        .findFirst();
  }

  private static String nsPid(long pid) {
    try {
      return Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream()
          .filter(l -> l.startsWith("NSpid:"))
          .findFirst()
          .orElse("");
    } catch (IOException e) {
      return "";
    }
  }

  private void assertNoRunLeftovers() {
    RunSandboxes.assertOnlyUnclaimedRunnersLeft(pool::unclaimedRunners, TempLake.home());
  }
}
