package dev.floe.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.floe.testing.TempLake;
import dev.floe.testing.Workloads;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * OpenLineage events over the real HTTP stack, sent to a real HTTP receiver started here: START and
 * COMPLETE for a query and a save, FAIL for a failing script, ABORT for a cancelled run, each one
 * valid against the OpenLineage JSON schema of the client's release (the event, and every facet
 * against the schema its {@code _schemaURL} names).
 */
@QuarkusTest
@QuarkusTestResource(TempLake.class)
@TestProfile(ObservedService.class)
class LineageTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final SchemaRegistry SCHEMAS =
      SchemaRegistry.withDefaultDialect(
          SpecificationVersion.DRAFT_2020_12,
          builder ->
              builder.schemaIdResolvers(
                  r -> r.mapPrefix("https://openlineage.io/spec/", "classpath:openlineage-spec/")));

  @Test
  void aQueryStartsAndCompletesWithTheTableItReadAtItsSnapshot() throws Exception {
    String sql = "SELECT species, COUNT(*) AS n FROM flowers GROUP BY species";
    JsonPath answer = Workloads.query(sql, Workloads.FLOWERS).statusCode(200).extract().jsonPath();
    String runId = answer.getString("run_id");

    List<JsonNode> events = eventsOf(runId, 2);
    assertEquals("START", events.get(0).path("eventType").asText());
    JsonNode complete = events.get(1);
    assertEquals("COMPLETE", complete.path("eventType").asText());
    assertEquals(runId.substring(2), complete.path("run").path("runId").asText());
    JsonNode job = complete.path("job");
    assertEquals("floe", job.path("namespace").asText());
    assertEquals(
        "query-" + dev.floe.auth.AuditTrail.sha256(sql).substring(0, 16),
        job.path("name").asText());
    assertEquals(sql, job.path("facets").path("sql").path("query").asText());
    assertEquals("QUERY", job.path("facets").path("jobType").path("jobType").asText());

    JsonNode input = complete.path("inputs").get(0);
    assertEquals("file", input.path("namespace").asText());
    assertTrue(input.path("name").asText().endsWith("/default/flowers"), input.toString());
    JsonNode symlink = input.path("facets").path("symlinks").path("identifiers").get(0);
    assertEquals("floe.lake", symlink.path("namespace").asText());
    assertEquals("default.flowers", symlink.path("name").asText());
    String snapshot = currentSnapshot("default", "flowers");
    assertEquals(snapshot, input.path("facets").path("version").path("datasetVersion").asText());
    List<String> columns = new ArrayList<>();
    input
        .path("facets")
        .path("schema")
        .path("fields")
        .forEach(f -> columns.add(f.path("name").asText()));
    assertTrue(columns.contains("species"), columns.toString());
    assertEquals(0, complete.path("outputs").size());

    // The schemas bite: a wrong event type and a schema field without its name are refused.
    com.fasterxml.jackson.databind.node.ObjectNode broken = complete.deepCopy();
    broken.put("eventType", "FINISHED");
    assertFalse(validate(broken.path("schemaURL").asText(), broken).isEmpty());
    JsonNode schemaFacet = input.path("facets").path("schema").deepCopy();
    ((com.fasterxml.jackson.databind.node.ObjectNode) schemaFacet.path("fields").get(0))
        .remove("name");
    assertFalse(validate(schemaFacet.path("_schemaURL").asText(), schemaFacet).isEmpty());
  }

  @Test
  void aSaveCompletesWithTheRowsWrittenAndTheNewSnapshot() throws Exception {
    String table = "lineage.saved_" + System.nanoTime();
    JsonPath answer =
        Workloads.post(
                Map.of(
                    "mode",
                    "script",
                    "script",
                    "result = pl.DataFrame({'a': list(range(7)), 'b': ['x'] * 7})\n",
                    "destination",
                    table,
                    "jobName",
                    "nightly_copy"))
            .statusCode(200)
            .extract()
            .jsonPath();
    String runId = answer.getString("run_id");
    List<JsonNode> events = eventsOf(runId, 2);
    JsonNode start = events.get(0);
    assertEquals("START", start.path("eventType").asText());
    assertEquals(
        "lineage." + table.substring(table.indexOf('.') + 1),
        start
            .path("outputs")
            .get(0)
            .path("facets")
            .path("symlinks")
            .path("identifiers")
            .get(0)
            .path("name")
            .asText());
    JsonNode complete = events.get(1);
    assertEquals("nightly_copy", complete.path("job").path("name").asText());
    assertEquals(
        "result = pl.DataFrame({'a': list(range(7)), 'b': ['x'] * 7})\n",
        complete.path("job").path("facets").path("sourceCode").path("sourceCode").asText());
    JsonNode output = complete.path("outputs").get(0);
    assertEquals(7, output.path("outputFacets").path("outputStatistics").path("rowCount").asLong());
    assertEquals(
        answer.getString("saved.snapshot_id"),
        output.path("facets").path("version").path("datasetVersion").asText());
    assertEquals(
        List.of("a", "b"),
        List.of(
            output.path("facets").path("schema").path("fields").get(0).path("name").asText(),
            output.path("facets").path("schema").path("fields").get(1).path("name").asText()));
  }

  @Test
  void aFailingScriptFailsWithItsErrorAndACancelledRunAborts() throws Exception {
    String failing =
        Workloads.script("raise ValueError('no such thing')\n")
            .statusCode(422)
            .extract()
            .jsonPath()
            .getString("run_id");
    JsonNode fail = eventsOf(failing, 2).get(1);
    assertEquals("FAIL", fail.path("eventType").asText());
    JsonNode error = fail.path("run").path("facets").path("errorMessage");
    assertEquals("python", error.path("programmingLanguage").asText());
    assertTrue(error.path("message").asText().startsWith("SCRIPT_ERROR: "), error.toString());
    assertTrue(error.path("stackTrace").isMissingNode() || error.path("stackTrace").isNull());

    String running =
        RestAssured.given()
            .contentType("application/json")
            .body(Map.of("mode", "script", "script", "import time\ntime.sleep(60)\n"))
            .post(Workloads.PATH + "/runs")
            .then()
            .statusCode(202)
            .extract()
            .jsonPath()
            .getString("run_id");
    assertNotNull(running);
    // Cancelled once it runs (its START sent), so the ABORT follows a START.
    Awaitility.await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> !ObservedService.lineage(running.substring(2)).isEmpty());
    RestAssured.given().delete(Workloads.PATH + "/runs/" + running).then().statusCode(200);
    List<JsonNode> cancelled = eventsOf(running, 2);
    assertEquals("START", cancelled.get(0).path("eventType").asText());
    assertEquals("ABORT", cancelled.get(1).path("eventType").asText());
    assertFalse(
        cancelled
            .get(1)
            .path("run")
            .path("facets")
            .path("errorMessage")
            .path("message")
            .asText()
            .isEmpty());
  }

  /** The events of one run, in the order received, once {@code count} arrived; each validated. */
  private static List<JsonNode> eventsOf(String runId, int count) throws Exception {
    String uuid = runId.substring(2);
    Awaitility.await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> ObservedService.lineage(uuid).size() >= count);
    List<JsonNode> events = ObservedService.lineage(uuid);
    assertEquals(count, events.size(), events.toString());
    for (JsonNode event : events) {
      assertValid(event);
    }
    return events;
  }

  /** The event against RunEvent, and each facet against the schema its _schemaURL names. */
  static void assertValid(JsonNode event) throws Exception {
    assertEquals(
        "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
        event.path("schemaURL").asText());
    List<String> problems = new ArrayList<>();
    problems.addAll(validate(event.path("schemaURL").asText(), event));
    List<JsonNode> facetGroups = new ArrayList<>();
    facetGroups.add(event.path("run").path("facets"));
    facetGroups.add(event.path("job").path("facets"));
    for (String side : List.of("inputs", "outputs")) {
      for (JsonNode dataset : event.path(side)) {
        facetGroups.add(dataset.path("facets"));
        facetGroups.add(dataset.path("outputFacets"));
        facetGroups.add(dataset.path("inputFacets"));
      }
    }
    int facets = 0;
    for (JsonNode group : facetGroups) {
      for (Iterator<Map.Entry<String, JsonNode>> it = group.fields(); it.hasNext(); ) {
        JsonNode facet = it.next().getValue();
        String url = facet.path("_schemaURL").asText();
        assertTrue(url.startsWith("https://openlineage.io/spec/facets/"), facet.toString());
        problems.addAll(validate(url, facet));
        facets++;
      }
    }
    assertTrue(facets >= 3, "an event carries its facets: " + event);
    assertTrue(problems.isEmpty(), problems + " in " + event);
  }

  private static List<String> validate(String schemaUrl, JsonNode node) throws Exception {
    Schema schema = SCHEMAS.getSchema(SchemaLocation.of(schemaUrl));
    List<Error> errors = schema.validate(JSON.writeValueAsString(node), InputFormat.JSON);
    return errors.stream().map(e -> schemaUrl + ": " + e.getMessage()).toList();
  }

  private static String currentSnapshot(String namespace, String table) {
    return RestAssured.given()
        .get("/api/v1/catalogs/lake/namespaces/" + namespace + "/tables/" + table + "/size")
        .then()
        .statusCode(200)
        .extract()
        .jsonPath()
        .getString("snapshotId");
  }
}
