package dev.floe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.floe.testing.ServiceProcess;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The packaged service with JSON logs (QUARKUS_LOG_CONSOLE_JSON_ENABLED=true, what k8s/base sets):
 * every line of its log is one JSON object, the lines it logs while it runs a run carry that run's
 * id, and a script's own output stays with its run, never in the service's log.
 */
class JsonLogsIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void everyLineIsJsonARunsLinesCarryItsIdsAndItsLineageIsFiled() throws Exception {
    Path home = Files.createTempDirectory("floe-it-json-");
    ServiceProcess floe =
        new ServiceProcess(home, "-Xmx256m", List.of("-Dquarkus.log.console.json.enabled=true"));
    try {
      floe.start();
      String marker = "printed-by-the-script-" + System.nanoTime();
      HttpResponse<String> answer =
          floe.post(
              "/api/v1/warehouse/polars",
              Map.of(
                  "mode",
                  "script",
                  "script",
                  "print('" + marker + "')\nresult = pl.DataFrame({'a': [1]})\n"));
      assertEquals(200, answer.statusCode(), answer.body());
      String runId = (String) JSON.readValue(answer.body(), Map.class).get("run_id");
      assertTrue(answer.body().contains(marker), "the script's output is in its run's logs");
      floe.stop();

      List<JsonNode> lines = new ArrayList<>();
      for (String line : floe.log().split("\n")) {
        if (line.isBlank()) {
          continue;
        }
        // The JVM's own warnings before logging starts are the only lines that may not be JSON.
        if (!line.startsWith("{")) {
          assertFalse(line.contains(" INFO ") || line.contains(" WARN "), line);
          continue;
        }
        lines.add(JSON.readTree(line));
      }
      assertTrue(lines.size() > 10, "the log has its start-up lines as JSON");
      List<JsonNode> ofTheRun =
          lines.stream().filter(l -> runId.equals(l.path("mdc").path("run_id").asText())).toList();
      assertFalse(ofTheRun.isEmpty(), "no line carries run_id " + runId);
      // ... and its trace's id, the one the answer named (traceresponse: 00-<trace id>-…).
      String traceId = answer.headers().firstValue("traceresponse").orElseThrow().split("-")[1];
      assertTrue(
          ofTheRun.stream().allMatch(l -> traceId.equals(l.path("mdc").path("traceId").asText())),
          ofTheRun.toString());

      // The embedded default's lineage: a file of events, one per line, START then COMPLETE.
      List<String> events =
          Files.readAllLines(home.resolve("lineage/events.jsonl")).stream()
              .filter(l -> l.contains(runId.substring(2)))
              .toList();
      assertEquals(2, events.size(), events.toString());
      assertEquals("START", JSON.readTree(events.get(0)).path("eventType").asText());
      assertEquals("COMPLETE", JSON.readTree(events.get(1)).path("eventType").asText());
      assertTrue(
          ofTheRun.stream().anyMatch(l -> l.path("message").asText().contains("runner")),
          ofTheRun.toString());
      assertFalse(floe.log().contains(marker), "a script's output went to the service log");
    } finally {
      floe.stop();
      dev.floe.sandbox.RunFiles.deleteTree(home);
    }
  }
}
