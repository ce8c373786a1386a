package dev.floe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.floe.observe.Spans;
import dev.floe.testing.ServiceProcess;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The packaged service exports traces over OTLP to a real receiver (gRPC, the OpenTelemetry
 * project's protocol package, {@code src/test/python/otlp_receiver.py}): a caller's sampled trace
 * arrives whole, under the caller's trace id, with a span per phase of the run; a trace Floe begins
 * itself is not exported at the default sampling of 0.
 */
class TraceExportIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void aCallersSampledTraceIsExportedWithEveryPhaseAndAnUnsampledOneIsNot() throws Exception {
    Path home = Files.createTempDirectory("floe-it-otlp-");
    Path spans = home.resolve("spans.jsonl");
    Process receiver =
        new ProcessBuilder(
                ServiceProcess.devPython().toString(),
                "src/test/python/otlp_receiver.py",
                spans.toString())
            .redirectError(home.resolve("receiver.log").toFile())
            .start();
    ServiceProcess floe = null;
    try {
      String port =
          new BufferedReader(
                  new InputStreamReader(receiver.getInputStream(), StandardCharsets.UTF_8))
              .readLine();
      assertTrue(port != null && port.matches("[0-9]+"), "the receiver did not start: " + port);
      floe =
          new ServiceProcess(
              home.resolve("floe"),
              "-Xmx256m",
              List.of(
                  "-Dquarkus.otel.exporter.otlp.traces.endpoint=http://127.0.0.1:" + port,
                  "-Dquarkus.otel.bsp.schedule.delay=100ms"));
      floe.start();

      String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
      String callerSpan = "00f067aa0ba902b7";
      Map<String, Object> body =
          Map.of("mode", "script", "script", "result = pl.DataFrame({'a': [1, 2]})\n");
      HttpResponse<String> sampled =
          ServiceProcess.send(
              ServiceProcess.withBody(
                  floe.request("/api/v1/warehouse/polars")
                      .header("traceparent", "00-" + traceId + "-" + callerSpan + "-01"),
                  body));
      assertEquals(200, sampled.statusCode(), sampled.body());
      HttpResponse<String> unsampled = floe.post("/api/v1/warehouse/polars", body);
      assertEquals(200, unsampled.statusCode(), unsampled.body());
      String unsampledTrace =
          unsampled.headers().firstValue("traceresponse").orElseThrow().split("-")[1];

      // The request's server span ends after the answer went out: it may come in a later batch.
      List<JsonNode> exported =
          waitForSpans(
              spans,
              traceId,
              received ->
                  received.stream()
                          .map(s -> s.path("name").asText())
                          .collect(Collectors.toSet())
                          .containsAll(Spans.RUN_PHASES)
                      && received.stream()
                          .anyMatch(s -> callerSpan.equals(s.path("parent_span_id").asText())));
      assertTrue(exported.stream().allMatch(s -> "floe".equals(s.path("service").asText())));
      JsonNode server =
          exported.stream()
              .filter(s -> callerSpan.equals(s.path("parent_span_id").asText()))
              .findFirst()
              .get();
      JsonNode run =
          exported.stream()
              .filter(s -> "floe.run".equals(s.path("name").asText()))
              .findFirst()
              .get();
      String runId = (String) ServiceProcess.json(sampled).get("run_id");
      assertEquals(runId, run.path("attributes").path("floe.run_id").asText());
      assertEquals(
          server.path("span_id").asText(),
          run.path("parent_span_id").asText(),
          "the run's span is a child of the request's server span, itself the caller's child");

      // The unsampled request's trace: flushed by now (100 ms batches), and never sent.
      Thread.sleep(1500);
      assertTrue(
          readSpans(spans).stream()
              .noneMatch(s -> unsampledTrace.equals(s.path("trace_id").asText())),
          "a trace Floe began itself was exported at sampling 0");
    } finally {
      if (floe != null) {
        floe.stop();
      }
      receiver.destroy();
      receiver.waitFor();
      dev.floe.sandbox.RunFiles.deleteTree(home);
    }
  }

  /** The spans of {@code traceId} received, once they are {@code whole}. */
  private static List<JsonNode> waitForSpans(
      Path file, String traceId, Predicate<List<JsonNode>> whole) throws Exception {
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (true) {
      List<JsonNode> ofTrace =
          readSpans(file).stream()
              .filter(s -> traceId.equals(s.path("trace_id").asText()))
              .toList();
      if (whole.test(ofTrace)) {
        return ofTrace;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "the spans of trace " + traceId + " did not all arrive: " + ofTrace);
      }
      Thread.sleep(100);
    }
  }

  private static List<JsonNode> readSpans(Path file) throws Exception {
    List<JsonNode> spans = new ArrayList<>();
    if (Files.exists(file)) {
      for (String line : Files.readAllLines(file)) {
        if (!line.isBlank()) {
          spans.add(JSON.readTree(line));
        }
      }
    }
    return spans;
  }
}
