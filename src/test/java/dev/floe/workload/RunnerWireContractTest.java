package dev.floe.workload;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.floe.error.ErrorCode;
import dev.floe.error.FloeException;
import dev.floe.sandbox.RunJob;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The service's side of the runner protocol against the vectors {@code floe_harness}'s tests load
 * too ({@code src/test/resources/contract/runner/}): the job it hands over and the answers it gives
 * are exactly those shapes, and it reads a run's requests by exactly those names.
 */
class RunnerWireContractTest {
  private static final Path VECTORS = Path.of("src/test/resources/contract/runner");
  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode vector(String name) throws IOException {
    return JSON.readTree(VECTORS.resolve(name).toFile());
  }

  /** As it goes over the wire: written and read back, so numbers compare by value. */
  private static JsonNode wire(Object value) throws IOException {
    return JSON.readTree(JSON.writeValueAsBytes(value));
  }

  @ParameterizedTest
  @ValueSource(strings = {"job-query.json", "job-script-streamed.json", "job-distributed.json"})
  void aJobIsExactlyTheWireShape(String name) throws IOException {
    JsonNode wire = vector(name);
    RunJob job = JSON.treeToValue(wire, RunJob.class);
    // Every field of the record is on the wire and nothing else: the round trip is the identity.
    assertEquals(wire, wire(job));
    assertEquals(RunJob.VERSION, job.version());
  }

  @Test
  void aJobMadeByTheServiceHasTheVectorsShape() throws IOException {
    JsonNode wire = vector("job-query.json");
    RunJob made =
        RunJob.of(
            wire.path("run_id").asText(),
            new RunJob.Code(
                "query",
                wire.path("source").asText(),
                java.util.Map.of(),
                false,
                "in-memory",
                false,
                false),
            java.util.Map.of(
                "flowers",
                new RunJob.Table(
                    "default.flowers",
                    "7507442581080545442",
                    "file:///lake/warehouse/default/flowers/metadata/00001-a.metadata.json")),
            "lake",
            new RunJob.Output("/floe/out/result.arrows", "/floe/out/error.json"),
            2,
            new RunJob.Limits(300, 4294967296L, 8589934592L, RunJob.OPEN_FILES, 12884901888L));
    assertEquals(wire, wire(made));
  }

  @Test
  void requestsAreReadByTheirWireNames() throws IOException {
    List<RunAccess.TableRequest> read = new java.util.ArrayList<>();
    for (JsonNode request : vector("channel.json").path("requests")) {
      if (request.path("sent").path("type").asText().equals("table")) {
        read.add(RunAccess.TableRequest.parse(request.path("sent")));
      }
    }
    assertEquals(
        List.of(
            new RunAccess.TableRequest("default.flowers", null, null),
            new RunAccess.TableRequest("default.flowers", 7507442581080545442L, null),
            new RunAccess.TableRequest("default.flowers", null, 1700000000000L)),
        read);
  }

  @Test
  void answersAreTheWireShape() throws IOException {
    JsonNode answers = vector("channel.json").path("answers");
    assertEquals(
        answers.get(0).path("answer"),
        wire(
            RunAccess.reply(
                "table",
                1,
                "table",
                new RunJob.Table(
                    "default.flowers", "7507442581080545442", "file:///lake/m.json"))));
    assertEquals(
        answers.get(1).path("answer"),
        wire(
            RunAccess.refusal(
                "table",
                2,
                new FloeException(
                    ErrorCode.TABLE_NOT_FOUND,
                    "Table 'default.iris' does not exist in catalog 'lake'; tables in namespace"
                        + " 'default': flowers."))));
    assertEquals(
        answers.get(2).path("answer"),
        wire(
            RunAccess.reply(
                "namespaces", 3, "namespaces", List.of(List.of("default"), List.of("analytics")))));
    assertEquals(
        answers.get(3).path("answer"),
        wire(RunAccess.reply("tables", 4, "tables", List.of(List.of("default", "flowers")))));
  }
}
