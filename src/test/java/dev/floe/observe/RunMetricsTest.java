package dev.floe.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.floe.testing.ArrowClient;
import dev.floe.testing.TempLake;
import dev.floe.testing.Workloads;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The metrics at {@code /q/metrics} move by exactly what known runs did, over the real HTTP stack:
 * runs by mode, status and error code; sandboxes stopped by why; rows returned and saved; Arrow
 * bytes sent; the phases' timers; the queue and the pool's gauges are there.
 */
@QuarkusTest
@QuarkusTestResource(TempLake.class)
@TestProfile(RunMetricsTest.OwnService.class)
class RunMetricsTest {
  /** A service of its own: no other test's run may end while these are counted. */
  public static class OwnService implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("floe.runners.warm", "1");
    }
  }

  private static final Pattern SAMPLE =
      Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{([^}]*)\\})? ([-+0-9.eE]+|NaN)$");

  @Test
  void knownRunsMoveTheMetricsByWhatTheyDid() {
    String before = scrape();
    Workloads.query(
            "SELECT species, COUNT(*) AS n FROM flowers GROUP BY species", Workloads.FLOWERS)
        .statusCode(200);
    Workloads.script("raise ValueError('no')\n").statusCode(422);
    Workloads.post(
            Map.of(
                "mode",
                "script",
                "script",
                "import time\ntime.sleep(60)\n",
                "limits",
                Map.of("timeoutSeconds", 1)))
        .statusCode(504);
    String table = "metrics.saved_" + System.nanoTime();
    Workloads.post(
            Map.of(
                "mode",
                "script",
                "script",
                "result = pl.DataFrame({'a': list(range(10))})\n",
                "destination",
                table))
        .statusCode(200);
    ArrowClient.Answer arrow =
        ArrowClient.post(
            Workloads.PATH,
            Map.of("mode", "script", "script", "result = pl.select(i=pl.int_range(0, 1000))\n"));
    assertEquals(200, arrow.status(), arrow.text());
    String after = scrape();

    assertEquals(
        1,
        delta(
            before,
            after,
            "floe_runs_total",
            "mode=\"query\"",
            "status=\"succeeded\"",
            "error_code=\"none\""));
    assertEquals(
        1,
        delta(
            before,
            after,
            "floe_runs_total",
            "mode=\"script\"",
            "status=\"failed\"",
            "error_code=\"SCRIPT_ERROR\""));
    assertEquals(
        1, delta(before, after, "floe_runs_total", "status=\"failed\"", "error_code=\"TIMEOUT\""));
    assertEquals(
        3,
        delta(before, after, "floe_runs_total", "mode=\"script\"", "status=\"succeeded\"")
            + delta(before, after, "floe_runs_total", "mode=\"query\"", "status=\"succeeded\""));
    assertEquals(1, delta(before, after, "floe_sandbox_kills_total", "reason=\"timeout\""));
    // The query's 3 rows, the save's 10 and the streamed result's 1000 (read from its headers).
    assertEquals(1013, delta(before, after, "floe_result_rows_total"));
    assertEquals(10, delta(before, after, "floe_save_rows_total"));
    assertEquals(arrow.body().length, delta(before, after, "floe_result_arrow_bytes_total"));
    // Every run that succeeded timed its execution; the save its commit.
    assertEquals(3, delta(before, after, "floe_run_phase_seconds_count", "phase=\"execute\""));
    assertEquals(1, delta(before, after, "floe_run_phase_seconds_count", "phase=\"commit\""));
    assertEquals(5, delta(before, after, "floe_run_phase_seconds_count", "phase=\"queue\""));
    // Each answer's result went out once: the query's and the save's JSON, the Arrow stream.
    assertEquals(3, delta(before, after, "floe_run_phase_seconds_count", "phase=\"result\""));
    for (String gauge :
        List.of("floe_runs_running", "floe_runs_queued", "floe_runners_ready", "floe_runs_slots")) {
      assertTrue(value(after, gauge) >= 0, gauge + " is exported");
    }
    assertTrue(value(after, "floe_runs_slots") >= 1);
  }

  @Test
  void theGrafanaDashboardQueriesOnlyMetricsTheServiceExports() throws Exception {
    Workloads.query("SELECT 1 AS x", List.of()).statusCode(200);
    Workloads.script("raise ValueError('no')\n").statusCode(422);
    String scrape = scrape();
    java.util.Set<String> exported = new java.util.TreeSet<>();
    for (String line : scrape.split("\n")) {
      Matcher m = SAMPLE.matcher(line.strip());
      if (m.matches()) {
        exported.add(m.group(1));
      }
    }
    com.fasterxml.jackson.databind.JsonNode dashboard =
        new com.fasterxml.jackson.databind.ObjectMapper()
            .readTree(java.nio.file.Path.of("observability/grafana-dashboard.json").toFile());
    java.util.Set<String> queried = new java.util.TreeSet<>();
    for (com.fasterxml.jackson.databind.JsonNode panel : dashboard.path("panels")) {
      for (com.fasterxml.jackson.databind.JsonNode target : panel.path("targets")) {
        Matcher m = Pattern.compile("floe_[a-z_]+").matcher(target.path("expr").asText());
        while (m.find()) {
          queried.add(m.group());
        }
      }
    }
    assertTrue(queried.size() >= 10, queried.toString());
    queried.removeAll(exported);
    assertEquals(java.util.Set.of(), queried, "queried by the dashboard but not exported");
  }

  private static String scrape() {
    return RestAssured.given().get("/q/metrics").then().statusCode(200).extract().asString();
  }

  private static double delta(String before, String after, String name, String... labels) {
    return sum(after, name, labels) - sum(before, name, labels);
  }

  private static double value(String scrape, String name) {
    return sum(scrape, name);
  }

  /** The sum of every sample of {@code name} whose labels include all of {@code labels}. */
  private static double sum(String scrape, String name, String... labels) {
    double total = 0;
    for (String line : scrape.split("\n")) {
      Matcher m = SAMPLE.matcher(line.strip());
      if (!m.matches() || !m.group(1).equals(name)) {
        continue;
      }
      String have = m.group(3) == null ? "" : m.group(3);
      boolean all = true;
      for (String label : labels) {
        all &= have.contains(label);
      }
      if (all) {
        total += Double.parseDouble(m.group(4));
      }
    }
    return total;
  }
}
