package dev.floe.api;

import static dev.floe.testing.Workloads.post;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.floe.testing.ArrowClient;
import dev.floe.testing.TempLake;
import dev.floe.testing.Workloads;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Results at scale: Arrow streamed as it is produced, never a partial stream passed as whole. */
@QuarkusTest
@QuarkusTestResource(TempLake.class)
class ArrowResultsTest {
  private static final String FAILS_MIDWAY =
      "def check(s):\n"
          + "    if (s == 900_000).any():\n"
          + "        raise ValueError('row 900000 is bad')\n"
          + "    return s\n"
          + "result = pl.select(i=pl.int_range(0, 1_000_000)).lazy().with_columns(\n"
          + "    j=pl.col('i').map_batches(check, return_dtype=pl.Int64, is_elementwise=True))\n";

  @Test
  void aLargeResultStreamsWholeAsArrow() {
    ArrowClient.Answer answer =
        ArrowClient.post(
            Workloads.PATH,
            Map.of(
                "mode",
                "script",
                "script",
                "result = pl.select(i=pl.int_range(0, 1_000_000), s=pl.lit('abcdefghij'))\n"));
    assertEquals(200, answer.status(), answer.text());
    assertEquals(ArrowClient.ARROW, answer.contentType());
    assertTrue(answer.complete(), "the stream did not end with its end-of-stream marker");
    List<Object> column = answer.column("i");
    assertEquals(1_000_000, column.size());
    assertEquals(999_999L, column.get(999_999));
  }

  @Test
  void aQueryStreamsWithTheSameAnswerAsJson() {
    String sql = "SELECT species, COUNT(*) AS n FROM flowers GROUP BY species ORDER BY species";
    ArrowClient.Answer answer =
        ArrowClient.post(
            Workloads.PATH, Map.of("mode", "query", "query", sql, "tables", Workloads.FLOWERS));
    assertEquals(200, answer.status(), answer.text());
    assertTrue(answer.complete());
    assertEquals(3, answer.rows());
    assertEquals(
        List.of(50L, 50L, 50L),
        answer.column("n").stream().map(v -> ((Number) v).longValue()).toList());
  }

  @Test
  void aFailureBeforeTheFirstByteIsTheJsonEnvelope() throws Exception {
    ArrowClient.Answer answer =
        ArrowClient.post(Workloads.PATH, Map.of("mode", "script", "script", "x = 1 / 0\n"));
    assertEquals(422, answer.status());
    assertTrue(answer.contentType().startsWith("application/json"), answer.contentType());
    Map<?, ?> error = new ObjectMapper().readValue(answer.body(), Map.class);
    assertEquals("SCRIPT_ERROR", error.get("error_code"));
    assertEquals(1, ((Map<?, ?>) error.get("diagnostics")).get("line"));
  }

  @Test
  void aFailureMidStreamBreaksTheStream() {
    ArrowClient.Answer answer =
        ArrowClient.post(Workloads.PATH, Map.of("mode", "script", "script", FAILS_MIDWAY));
    assertEquals(200, answer.status(), "the first batches were streamed before the failure");
    assertFalse(answer.complete(), "a stream cut short must never look whole");
    // The service is fine afterwards.
    Workloads.script("result = pl.DataFrame({'a': [1]})\n").statusCode(200);
  }

  @Test
  void jsonRowsAreCappedWithTheFullCount() {
    post(Map.of(
            "mode",
            "script",
            "script",
            "result = pl.select(i=pl.int_range(0, 25_000))\n",
            "limits",
            Map.of("maxRows", 100)))
        .statusCode(200)
        .body("truncated", is(true))
        .body("row_count", equalTo(25_000))
        .body("results.rows", hasSize(100));
  }

  @Test
  void aJsonResultAboveItsByteLimitPointsToArrow() {
    post(Map.of(
            "mode",
            "script",
            "script",
            "result = pl.select(i=pl.int_range(0, 100_000))\n",
            "limits",
            Map.of("maxResultBytes", 10_000)))
        .statusCode(413)
        .body("error_code", equalTo("LIMIT_EXCEEDED"))
        .body("error", containsString("10000 bytes"))
        .body("error", containsString("application/vnd.apache.arrow.stream"));
  }
}
