package dev.floe.sandbox;

import static dev.floe.testing.Workloads.post;
import static dev.floe.testing.Workloads.script;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.floe.testing.Workloads;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * What every runner must do, whatever its isolation: return the result, keep the logs, report user
 * errors, stop at the time limit with the whole process tree gone, stop at the memory limit, and
 * hand user code nothing of the service's environment.
 */
abstract class RunnerContractTest {

  /** The runner this subclass's profile selects. */
  abstract String runnerName();

  @Test
  void theSelectedRunnerServes() {
    io.restassured.RestAssured.given()
        .get("/q/health/ready")
        .then()
        .body("checks.find { it.name == 'sandbox' }.data.runner", equalTo(runnerName()));
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
  void timeoutKillsTheWholeProcessTree() throws InterruptedException {
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
    Thread.sleep(500);
    assertTrue(
        ProcessHandle.allProcesses()
            .noneMatch(
                p -> p.info().arguments().map(a -> List.of(a).contains(marker)).orElse(false)),
        "a process of the timed-out run survived");
  }

  @Test
  void memoryLimitGivesOutOfMemoryNamingTheLimit() {
    post(Map.of(
            "mode",
            "script",
            "script",
            "blob = b'x' * (3 * 1024 ** 3)\nresult = pl.DataFrame({'n': [len(blob)]})\n",
            "limits",
            Map.of("memoryMb", 1024)))
        .statusCode(422)
        .body("error_code", equalTo("OUT_OF_MEMORY"))
        .body("error", containsString("1024 MB"));
    Workloads.query("SELECT 1 AS x", List.of()).statusCode(200);
  }

  @Test
  void theEnvironmentIsCleared() {
    script(
            "import os\n"
                + "allowed = {'PATH', 'HOME', 'TMPDIR', 'LANG', 'POLARS_MAX_THREADS',"
                + " 'POLARS_ICEBERG_PLANNER', 'LC_CTYPE',"
                + " 'PWD', '_RJEM_MALLOC_CONF'}  # set by bwrap --chdir and by polars itself\n"
                + "result = pl.DataFrame({'extra': [sorted(set(os.environ) - allowed)]})\n")
        .statusCode(200)
        .body("results.rows[0][0]", equalTo(List.of()));
  }
}
