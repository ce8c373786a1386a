package dev.floe.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.floe.testing.TempLake;
import dev.floe.testing.Workloads;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Traces over the real HTTP stack: a caller's sampled {@code traceparent} is honoured (the run's
 * spans join its trace, one per phase, under the request, and the result's rendering), the trace id
 * comes back in the {@code traceresponse} header and in the run record; a run nobody asked to
 * sample still has a trace id, and exports nothing (the default fraction is 0).
 */
@QuarkusTest
@QuarkusTestResource(TempLake.class)
@TestProfile(ObservedService.class)
class TracingTest {
  private static final SecureRandom RANDOM = new SecureRandom();

  @Inject InMemorySpanExporter exported;

  @Test
  void aSampledCallersQueryIsTracedPhaseByPhaseInItsTrace() {
    String traceId = hex(16);
    String callerSpan = hex(8);
    ExtractableResponse<Response> answer =
        RestAssured.given()
            .header("traceparent", "00-" + traceId + "-" + callerSpan + "-01")
            .contentType("application/json")
            .body(
                Map.of(
                    "mode", "query", "query", "SELECT * FROM flowers", "tables", Workloads.FLOWERS))
            .post(Workloads.PATH)
            .then()
            .statusCode(200)
            .extract();
    assertTrue(
        answer.header("traceresponse").matches("00-" + traceId + "-[0-9a-f]{16}-01"),
        answer.header("traceresponse"));
    String runId = answer.jsonPath().getString("run_id");
    assertEquals(traceId, traceIdOf(runId));

    List<SpanData> spans = spansOf(traceId, "floe.run");
    Set<String> names = spans.stream().map(SpanData::getName).collect(Collectors.toSet());
    assertTrue(names.containsAll(Spans.RUN_PHASES), names.toString());
    SpanData run = named(spans, "floe.run");
    assertEquals(runId, run.getAttributes().get(AttributeKey.stringKey("floe.run_id")));
    assertEquals("succeeded", run.getAttributes().get(AttributeKey.stringKey("floe.status")));
    // Each phase is a child of the run; the run, of the request, whose parent is the caller's span.
    for (String phase : List.of("floe.queue", "floe.plan", "floe.sandbox_start", "floe.execute")) {
      assertEquals(run.getSpanId(), named(spans, phase).getParentSpanId(), phase);
    }
    SpanData request =
        spans.stream()
            .filter(s -> s.getSpanId().equals(run.getParentSpanId()))
            .findFirst()
            .orElseThrow(() -> new AssertionError("the run's parent is not in " + names));
    assertEquals(callerSpan, request.getParentSpanId());
    // The answer's rendering is the request's too.
    assertEquals(request.getSpanId(), named(spans, "floe.result").getParentSpanId());
    // The phases follow one another.
    assertTrue(
        named(spans, "floe.plan").getEndEpochNanos()
            <= named(spans, "floe.execute").getStartEpochNanos());
  }

  @Test
  void aSaveHasItsCommitSpanAndAFailureMarksTheRunInError() {
    String saveTrace = hex(16);
    RestAssured.given()
        .header("traceparent", "00-" + saveTrace + "-" + hex(8) + "-01")
        .contentType("application/json")
        .body(
            Map.of(
                "mode",
                "script",
                "script",
                "result = pl.DataFrame({'a': [1, 2]})\n",
                "destination",
                "traced.saved_" + System.nanoTime()))
        .post(Workloads.PATH)
        .then()
        .statusCode(200);
    List<SpanData> saved = spansOf(saveTrace, "floe.run");
    assertTrue(saved.stream().anyMatch(s -> s.getName().equals("floe.commit")), saved.toString());

    String failTrace = hex(16);
    RestAssured.given()
        .header("traceparent", "00-" + failTrace + "-" + hex(8) + "-01")
        .contentType("application/json")
        .body(Map.of("mode", "script", "script", "raise ValueError('no')\n"))
        .post(Workloads.PATH)
        .then()
        .statusCode(422);
    SpanData failed = named(spansOf(failTrace, "floe.run"), "floe.run");
    assertEquals(StatusCode.ERROR, failed.getStatus().getStatusCode());
    assertEquals(
        "SCRIPT_ERROR", failed.getAttributes().get(AttributeKey.stringKey("floe.error_code")));
  }

  @Test
  void anUnsampledRunStillHasATraceIdAndExportsNothing() throws InterruptedException {
    ExtractableResponse<Response> answer =
        Workloads.query("SELECT 1 AS x", List.of()).statusCode(200).extract();
    String header = answer.header("traceresponse");
    assertNotNull(header);
    assertTrue(header.matches("00-[0-9a-f]{32}-[0-9a-f]{16}-00"), header);
    String traceId = header.split("-")[1];
    assertEquals(traceId, traceIdOf(answer.jsonPath().getString("run_id")));
    Thread.sleep(500); // what would be exported is exported at once (the simple processor)
    assertTrue(
        exported.getFinishedSpanItems().stream().noneMatch(s -> s.getTraceId().equals(traceId)));
  }

  private static String traceIdOf(String runId) {
    return RestAssured.given()
        .get(Workloads.PATH + "/runs/" + runId)
        .then()
        .statusCode(200)
        .extract()
        .jsonPath()
        .getString("trace_id");
  }

  /** The trace's exported spans, once the one named {@code last} (it ends last) is among them. */
  private List<SpanData> spansOf(String traceId, String last) {
    Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                exported.getFinishedSpanItems().stream()
                    .anyMatch(s -> s.getTraceId().equals(traceId) && s.getName().equals(last)));
    return exported.getFinishedSpanItems().stream()
        .filter(s -> s.getTraceId().equals(traceId))
        .toList();
  }

  private static SpanData named(List<SpanData> spans, String name) {
    return spans.stream()
        .filter(s -> s.getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no span " + name + " in " + spans));
  }

  private static String hex(int bytes) {
    byte[] b = new byte[bytes];
    RANDOM.nextBytes(b);
    b[0] |= 1; // never all zeros (an invalid id)
    return HexFormat.of().formatHex(b);
  }
}
