package dev.floe.sandbox;

import static dev.floe.testing.Workloads.post;
import static dev.floe.testing.Workloads.script;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.floe.testing.HostileFixtures;
import dev.floe.testing.Jobs;
import dev.floe.testing.RunSandboxes;
import dev.floe.testing.TempLake;
import dev.floe.testing.Workloads;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * What every kind of runner must do, whatever its isolation: start before its run, take exactly one
 * job and be discarded after it, return the result, keep the logs, report user errors, stop at the
 * time limit with every process gone, stop at the memory limit, and hand user code nothing of the
 * service's environment. Kinds that isolate ({@link #isolates()}) are checked layer by layer from
 * inside a run, like Iceberg's {@code CatalogTests} with its capability flags.
 */
abstract class RunnerContractTest {

  /** The runner kind this subclass's profile selects. */
  abstract String runnerName();

  /** Whether the kind isolates runs (all but the development runner). */
  abstract boolean isolates();

  /** What the service's readiness says of the kind's isolation. */
  boolean reportsIsolated() {
    return isolates();
  }

  /**
   * Whether a run sees, of the service's home and its lakes, only the files granted to it (every
   * isolating kind; the Kubernetes runner's pods too, simulated here, whose isolation is otherwise
   * the cluster's).
   */
  boolean seesOnlyItsGrants() {
    return isolates();
  }

  /** Whether two runs at once share no file system and no process (each its own sandbox). */
  boolean runsApart() {
    return isolates();
  }

  @Inject WarmPool pool;

  @ConfigProperty(name = "quarkus.http.test-port")
  int port;

  @Test
  void theSelectedRunnerServes() {
    io.restassured.RestAssured.given()
        .get("/q/health/ready")
        .then()
        .body("checks.find { it.name == 'sandbox' }.data.runner", equalTo(runnerName()))
        .body("checks.find { it.name == 'sandbox' }.data.isolated", equalTo(reportsIsolated()));
  }

  @Test
  void resultAndLogs() {
    script("print('to stdout')\nresult = pl.DataFrame({'a': [1, 2]})\n")
        .statusCode(200)
        .body("results.rows", equalTo(List.of(List.of(1), List.of(2))))
        .body("logs", containsString("to stdout"));
  }

  @Test
  void userErrorsAreReported() {
    script("raise KeyError('k')\n")
        .statusCode(422)
        .body("error_code", equalTo("SCRIPT_ERROR"))
        .body("diagnostics.line", equalTo(1));
  }

  @Test
  void timeoutKillsTheWholeProcessTree() {
    String marker = "floe-contract-" + UUID.randomUUID();
    post(Map.of(
            "mode",
            "script",
            "script",
            "import subprocess, time\n"
                + "subprocess.Popen(['sleep', '600', '"
                + marker
                + "'])\n"
                + "time.sleep(600)\n",
            "limits",
            Map.of("timeoutSeconds", 3)))
        .statusCode(504)
        .body("error_code", equalTo("TIMEOUT"));
    RunSandboxes.assertNoProcessWith(marker);
  }

  @Test
  void memoryLimitGivesOutOfMemoryNamingTheLimit() {
    assertOutOfMemory(
        "blob = b'x' * (3 * 1024 ** 3)\nresult = pl.DataFrame({'n': [len(blob)]})\n", 1024);
  }

  @Test
  void aMemoryLimitTooSmallForAnyRunIsOutOfMemoryNotAnError() {
    assumeTrue(isolates());
    assertOutOfMemory("result = pl.DataFrame({'a': [1]})\n", 1);
  }

  /** The script under a memory limit of {@code memoryMb} is OUT_OF_MEMORY; the next run works. */
  private static void assertOutOfMemory(String script, int memoryMb) {
    post(Map.of("mode", "script", "script", script, "limits", Map.of("memoryMb", memoryMb)))
        .statusCode(422)
        .body("error_code", equalTo("OUT_OF_MEMORY"))
        .body("error", containsString(memoryMb + " MB"));
    Workloads.query("SELECT 1 AS x", List.of()).statusCode(200);
  }

  @Test
  void theEnvironmentIsCleared() {
    script(
            "import os\n"
                + "allowed = {'PATH', 'HOME', 'TMPDIR', 'LANG', 'POLARS_MAX_THREADS',"
                + " 'POLARS_ICEBERG_PLANNER', 'LC_CTYPE', 'JE_ARROW_MALLOC_CONF',"
                + " 'PWD', '_RJEM_MALLOC_CONF'}  # set by bwrap --chdir and by polars itself\n"
                + "result = pl.DataFrame({'extra': [sorted(set(os.environ) - allowed)]})\n")
        .statusCode(200)
        .body("results.rows[0][0]", equalTo(List.of()));
  }

  @Test
  void vcpusSizeTheThreadPoolOfARunnerThatStartedBeforeIt() {
    for (int vcpus : List.of(1, 2)) {
      post(Map.of(
              "mode",
              "script",
              "script",
              "result = pl.DataFrame({'threads': [pl.thread_pool_size()]})\n",
              "vcpus",
              vcpus))
          .statusCode(200)
          .body("results.rows[0][0]", equalTo(vcpus));
    }
  }

  // ---- the lifecycle: started ahead, one job, discarded ----

  @Test
  void aRunnerTakesOneJobAndNeverASecond() throws Exception {
    Runner runner = pool.take().runner();
    try {
      assertEquals(Runner.State.READY, runner.state());
      RunJob job = job(runner, "print('once')\nresult = pl.DataFrame({'x': [1]})\n");
      BoundedLog log = new BoundedLog(4096);
      RunHandle handle = runner.handOver(job, budget(), log, request -> Map.of("ok", false));
      RunnerExit exit = handle.await();
      assertEquals(0, exit.exitCode(), exit.logs());
      assertTrue(exit.logs().contains("once"), exit.logs());
      IllegalStateException second =
          assertThrows(
              IllegalStateException.class,
              () -> runner.handOver(job, budget(), log, request -> Map.of()));
      assertTrue(second.getMessage().contains("cannot take a job"), second.getMessage());
    } finally {
      runner.discard();
    }
    assertThrows(
        IllegalStateException.class,
        () ->
            runner.handOver(
                job(runner, "result = 1\n"), budget(), new BoundedLog(8), request -> Map.of()));
    assertLeftNothing(runner);
  }

  @Test
  void aCancelledRunnerIsNeverHandedAnotherJob() throws Exception {
    Runner runner = pool.take().runner();
    try {
      RunHandle handle =
          runner.handOver(
              job(runner, "import time\ntime.sleep(600)\n"),
              budget(),
              new BoundedLog(4096),
              request -> Map.of("ok", false));
      handle.cancel();
      assertTrue(handle.await().cancelled());
      assertThrows(
          IllegalStateException.class,
          () ->
              runner.handOver(
                  job(runner, "result = 1\n"), budget(), new BoundedLog(8), request -> Map.of()));
    } finally {
      runner.discard();
    }
    assertLeftNothing(runner);
  }

  @Test
  void aWarmRunnerNeverUsedIsTornDownWithNoLeftovers() throws InterruptedException {
    WarmPool.Taken taken = pool.take();
    Runner runner = taken.runner();
    assertTrue(RunSandboxes.runnersWithDirectories(TempLake.home()).contains(runner.id()));
    runner.discard();
    assertEquals(Runner.State.DISCARDED, runner.state());
    assertLeftNothing(runner);
    // The pool refills itself: the next run finds a runner ready again.
    RunSandboxes.awaitTrue(
        () -> pool.stats().ready() >= 1, Duration.ofSeconds(60), "the pool to refill");
    Workloads.query("SELECT 1 AS x", List.of()).statusCode(200);
  }

  private static RunJob job(Runner runner, String script) {
    return Jobs.script(runner.files(), script, Map.of());
  }

  private static RunBudget budget() {
    return Jobs.budget();
  }

  private static void assertLeftNothing(Runner runner) {
    RunSandboxes.awaitTrue(
        () ->
            !RunSandboxes.runnersWithCgroups().contains(runner.id())
                && !RunSandboxes.runnersWithDirectories(TempLake.home()).contains(runner.id())
                && !RunSandboxes.processesInRunCgroups().contains(runner.id()),
        Duration.ofSeconds(10),
        "runner " + runner.id() + " to leave nothing behind");
  }

  // ---- isolation, layer by layer, from inside a run ----

  @Test
  void unprivilegedInItsOwnPidNamespace() {
    assumeTrue(isolates());
    script(
            "import os\n"
                + "pids = [p for p in os.listdir('/proc') if p.isdigit()]\n"
                + "result = pl.DataFrame({'uid': [os.getuid()], 'few_pids': [len(pids) < 10],"
                + " 'nnp': [open('/proc/self/status').read().count('NoNewPrivs:\\t1')]})\n")
        .statusCode(200)
        .body("results.rows[0]", equalTo(List.of(65534, true, 1)));
  }

  @Test
  void noNetworkNotEvenTheServicesOwnPort() {
    assumeTrue(isolates());
    // Loopback only, per the test rules: a failed isolation must never send traffic elsewhere.
    script(
            "import socket\n"
                + "try:\n"
                + "    s = socket.socket()\n"
                + "    s.settimeout(2)\n"
                + "    s.connect(('127.0.0.1', "
                + port
                + "))\n"
                + "    reached = True\n"
                + "except OSError:\n"
                + "    reached = False\n"
                + "result = pl.DataFrame({'reached': [reached],"
                + " 'ifaces': [sorted(l.split(':')[0].strip() for l in"
                + " open('/proc/net/dev').readlines()[2:])]})\n")
        .statusCode(200)
        .body("results.rows[0]", equalTo(List.of(false, List.of("lo"))));
  }

  @Test
  void theLakeIsReadOnlyAndTheHostIsNotThere() {
    assumeTrue(isolates());
    script(
            "import os\n"
                + "wh = catalog.load_table('default.flowers').location().removeprefix('file://')\n"
                + "try:\n"
                + "    open(os.path.join(wh, 'evil'), 'w')\n"
                + "    wrote = True\n"
                + "except OSError:\n"
                + "    wrote = False\n"
                + "result = pl.DataFrame({'wrote': [wrote],"
                + " 'shadow': [os.path.exists('/etc/shadow')],"
                + " 'root_home': [os.path.exists('/root/.m2')]})\n")
        .statusCode(200)
        .body("results.rows[0]", equalTo(List.of(false, false, false)));
  }

  @Test
  void theCatalogOtherRunnersAndUngrantedTablesAreNotThere() {
    assumeTrue(seesOnlyItsGrants());
    Path home = TempLake.home();
    script(
            "import os\n"
                + "def ls(p):\n"
                + "    return sorted(os.listdir(p)) if os.path.isdir(p) else None\n"
                + "result = pl.DataFrame({'home': [ls(params['home'])],"
                + " 'runners': [ls(params['home'] + '/runners')],"
                + " 'catalog': [ls(params['home'] + '/catalog')],"
                + " 'warehouse': [ls(params['home'] + '/warehouse') or []],"
                + " 'tmp_writable': [os.access('/tmp', os.W_OK)]})\n",
            Map.of("home", home.toString()))
        .statusCode(200)
        // Of the service's home only the harness is there, and the warehouse (this test lake's is
        // under /tmp, so runners make room for it at start) holds nothing: no table was granted.
        .body("results.rows[0][0]", equalTo(List.of("harness", "warehouse")))
        .body("results.rows[0][1]", equalTo(null))
        .body("results.rows[0][2]", equalTo(null))
        .body("results.rows[0][3]", equalTo(List.of()))
        .body("results.rows[0][4]", equalTo(true));
  }

  @Test
  void aRunReadsAnotherTablesFilesOnlyOnceTheTrustedSideGrantedThem() throws IOException {
    assumeTrue(seesOnlyItsGrants());
    String table =
        "contract.other_" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
    post(Map.of(
            "mode",
            "script",
            "script",
            "result = pl.DataFrame({'secret': ['kept']})\n",
            "destination",
            table))
        .statusCode(200);
    Path dataFile;
    try (Stream<Path> walk = Files.walk(TempLake.home().resolve("warehouse"))) {
      dataFile =
          walk.filter(p -> p.toString().contains("/" + table.replace('.', '/') + "/data/"))
              .filter(p -> p.toString().endsWith(".parquet"))
              .findFirst()
              .orElseThrow();
    }
    post(Map.of(
            "mode",
            "script",
            "script",
            "import os\n"
                + "before = os.path.exists(params['file'])\n"
                + "rows = scan(params['table']).collect().height\n"
                + "after = os.path.exists(params['file'])\n"
                + "result = pl.DataFrame({'before': [before], 'rows': [rows], 'after': [after]})\n",
            "params",
            Map.of("file", dataFile.toString(), "table", table),
            "tables",
            Workloads.FLOWERS))
        .statusCode(200)
        .body("results.rows[0]", equalTo(List.of(false, 1, true)));
  }

  @Test
  void twoRunsAtOnceCannotSeeEachOther() {
    assumeTrue(runsApart());
    String secret = "floe-contract-secret-" + UUID.randomUUID();
    String first =
        io.restassured.RestAssured.given()
            .contentType(io.restassured.http.ContentType.JSON)
            .body(
                Map.of(
                    "mode",
                    "script",
                    "script",
                    "import time\nopen('/tmp/mine.txt', 'w').write(params['s'])\n"
                        + "print('written', flush=True)\n"
                        + "time.sleep(6)\n"
                        + "result = pl.DataFrame({'still': [open('/tmp/mine.txt').read()]})\n",
                    "params",
                    Map.of("s", secret)))
            .post(Workloads.PATH + "/runs")
            .then()
            .statusCode(202)
            .extract()
            .path("run_id");
    // The second run starts once the first has written its file: it must not find it.
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                io.restassured.RestAssured.given()
                    .get(Workloads.PATH + "/runs/" + first + "/logs?after=0")
                    .then()
                    .extract()
                    .<String>path("logs")
                    .contains("written"));
    script(
            "import os, stat\n"
                + "found = []\n"
                + "for top in ('/tmp', '/floe'):\n"
                + "    for root, dirs, files in os.walk(top):\n"
                + "        for f in files:\n"
                + "            if not stat.S_ISREG(os.lstat(os.path.join(root, f)).st_mode):\n"
                + "                continue  # its own result pipe would block a reader\n"
                + "            try:\n"
                + "                if params['s'] in open(os.path.join(root, f), errors='replace').read():\n"
                + "                    found.append(os.path.join(root, f))\n"
                + "            except OSError:\n"
                + "                pass\n"
                + "pids = [p for p in os.listdir('/proc') if p.isdigit()]\n"
                + "result = pl.DataFrame({'found': [found], 'pids': [len(pids)],"
                + " 'tmp': [sorted(os.listdir('/tmp'))]})\n",
            Map.of("s", secret))
        .statusCode(200)
        .body("results.rows[0][0]", equalTo(List.of()))
        .body("results.rows[0][1]", lessThanOrEqualTo(3)) // its init, itself, and nothing else
        .body("results.rows[0][2]", not(hasItem("mine.txt")));
    var done =
        io.restassured.RestAssured.given()
            .get(Workloads.PATH + "/runs/" + first + "/result")
            .then()
            .statusCode(200)
            .extract();
    assertEquals(secret, done.path("results.rows[0][0]"));
  }

  @Test
  void seccompDeniesNamespacesMountsTracingAndNonUnixSockets() {
    assumeTrue(isolates());
    script(
            "import ctypes, errno, os, socket, threading\n"
                + "libc = ctypes.CDLL(None, use_errno=True)\n"
                + "def denied(fn):\n"
                + "    try:\n"
                + "        fn()\n"
                + "        return 'allowed'\n"
                + "    except OSError as e:\n"
                + "        return errno.errorcode.get(e.errno, str(e.errno))\n"
                + "def call(name, *args):\n"
                + "    def run():\n"
                + "        if getattr(libc, name)(*args) != 0:\n"
                + "            raise OSError(ctypes.get_errno(), name)\n"
                + "    return run\n"
                + "checks = {\n"
                + "  'unshare_user': denied(call('unshare', 0x10000000)),\n"
                + "  'unshare_net': denied(call('unshare', 0x40000000)),\n"
                + "  'mount': denied(call('mount', b'none', b'/tmp', b'tmpfs', 0, None)),\n"
                + "  'ptrace': denied(call('ptrace', 0, 0, 0, 0)),\n"
                + "  'keyctl': denied(call('syscall', 250, 0, 0, 0, 0)),\n"
                + "  'bpf': denied(call('syscall', 321, 0, 0, 0)),\n"
                + "  'inet': denied(lambda: socket.socket(socket.AF_INET)),\n"
                + "  'inet6': denied(lambda: socket.socket(socket.AF_INET6)),\n"
                + "  'netlink': denied(lambda: socket.socket(socket.AF_NETLINK, socket.SOCK_RAW)),\n"
                + "  'vsock': denied(lambda: socket.socket(40, socket.SOCK_STREAM)),\n"
                + "  'unix': denied(lambda: socket.socketpair(socket.AF_UNIX)),\n"
                + "}\n"
                + "t = threading.Thread(target=lambda: None); t.start(); t.join()\n"
                + "result = pl.DataFrame({'check': list(checks), 'outcome': list(checks.values())})\n"
                + "result = result.with_columns(threads_ok=pl.lit(True))\n")
        .statusCode(200)
        .body(
            "results.rows",
            equalTo(
                List.of(
                    List.of("unshare_user", "EPERM", true),
                    List.of("unshare_net", "EPERM", true),
                    List.of("mount", "EPERM", true),
                    List.of("ptrace", "EPERM", true),
                    List.of("keyctl", "EPERM", true),
                    List.of("bpf", "EPERM", true),
                    List.of("inet", "EAFNOSUPPORT", true),
                    List.of("inet6", "EAFNOSUPPORT", true),
                    List.of("netlink", "EAFNOSUPPORT", true),
                    List.of("vsock", "EAFNOSUPPORT", true),
                    List.of("unix", "allowed", true))));
  }

  @Test
  void subprocessesWorkButGainNoPrivilege() {
    assumeTrue(isolates());
    script(
            "import subprocess\n"
                + "out = subprocess.run(['id', '-u'], capture_output=True, text=True).stdout.strip()\n"
                + "result = pl.DataFrame({'uid': [out]})\n")
        .statusCode(200)
        .body("results.rows[0][0]", equalTo("65534"));
  }

  /**
   * Script prologue for bombs: it refuses to go on unless this very run is in its own PID namespace
   * and in Floe's per-run memory and pids cgroups (so a broken sandbox never bombs the host).
   */
  private static final String VERIFY_ISOLATION =
      HostileFixtures.fixture("_verify_isolation.py") + "verify_isolation()\n";

  @Test
  void memoryBombIsKilledByTheMemoryCgroup() {
    assumeTrue(isolates());
    assertOutOfMemory(
        VERIFY_ISOLATION
            + "hog = []\n"
            + "while True:\n"
            + "    hog.append(bytearray(16 * 1024 * 1024))\n",
        512);
  }

  @Test
  void forkBombStopsAtThePidsLimitAndLeavesNoProcess() {
    assumeTrue(isolates());
    post(Map.of(
            "mode",
            "script",
            "script",
            VERIFY_ISOLATION
                + "import time\n"
                + "while True:\n"
                + "    if os.fork() == 0:\n"
                + "        time.sleep(600)\n"
                + "        os._exit(0)\n"))
        .statusCode(422)
        .body("error_code", equalTo("SCRIPT_ERROR"))
        .body("error", containsString("limit on processes"));
    // Processes of this service's runs, by their cgroup: other services on the machine (other
    // test JVMs) run their own sandboxes as the same unprivileged uid at the same time. Only the
    // warm pool's runners, which no run has had, may be there.
    RunSandboxes.awaitTrue(
        () -> pool.unclaimedRunners().containsAll(RunSandboxes.processesInRunCgroups()),
        Duration.ofSeconds(5),
        "processes of the fork bomb to be gone");
    script("result = pl.DataFrame({'after': [1]})\n").statusCode(200);
  }
}
