package dev.floe.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.floe.catalog.CatalogRegistry;
import dev.floe.testing.TempLake;
import dev.floe.testing.Workloads;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.Test;

/**
 * A full explain over the real HTTP stack: a dry run's estimate of what each scan reads equals the
 * manifests' figures (the size endpoint's, from the catalog) on a partitioned table with a filter
 * that prunes, in query mode and in script mode (the script runs to its result, which is not
 * computed); a dry run's save verdict is the one the real save then gives; nothing is written.
 */
@QuarkusTest
@QuarkusTestResource(TempLake.class)
class ExplainTest {
  private static final String CATALOG = "/api/v1/catalogs/lake/namespaces/";

  @Inject CatalogRegistry catalogs;

  /** A table partitioned by day, days 1–3, one data file each, written by Floe saves. */
  private String partitionedTable() {
    String name = "parted_" + System.nanoTime();
    var catalog = catalogs.get("lake").catalog();
    if (!((SupportsNamespaces) catalog).namespaceExists(Namespace.of("explain"))) {
      ((SupportsNamespaces) catalog).createNamespace(Namespace.of("explain"));
    }
    Schema schema =
        new Schema(
            Types.NestedField.optional(1, "day", Types.IntegerType.get()),
            Types.NestedField.optional(2, "x", Types.LongType.get()),
            Types.NestedField.optional(3, "s", Types.StringType.get()));
    catalog.createTable(
        TableIdentifier.of("explain", name),
        schema,
        PartitionSpec.builderFor(schema).identity("day").build());
    for (int day = 1; day <= 3; day++) {
      Workloads.post(
              Map.of(
                  "mode",
                  "script",
                  "script",
                  "d = params['d']\n"
                      + "result = pl.DataFrame({'day': pl.Series([d, d], dtype=pl.Int32),"
                      + " 'x': [d * 10, d * 10 + 1], 's': ['a', 'b']})\n",
                  "params",
                  Map.of("d", day),
                  "destination",
                  "explain." + name,
                  "saveMode",
                  "append"))
          .statusCode(200);
    }
    return name;
  }

  @Test
  void aPrunedScanIsEstimatedFromTheManifests() {
    String name = partitionedTable();

    JsonPath plan =
        Workloads.post(
                Map.of(
                    "mode",
                    "query",
                    "query",
                    "SELECT s, x FROM t WHERE day = 2",
                    "tables",
                    List.of("t=explain." + name),
                    "dryRun",
                    true))
            .statusCode(200)
            .extract()
            .jsonPath();
    Map<String, Object> read = plan.getMap("dry_run.reads[0]");
    assertEquals(1, plan.getList("dry_run.reads").size());
    assertEquals("explain." + name, read.get("table"));
    assertEquals("day = 2", read.get("filter"));
    assertTrue(
        ((List<?>) read.get("columns")).containsAll(List.of("s", "x", "day")), read.toString());

    JsonPath day2 =
        given()
            .queryParam("partitionKey", "day")
            .queryParam("partitionValue", "2")
            .get(CATALOG + "explain/tables/" + name + "/size")
            .then()
            .statusCode(200)
            .extract()
            .jsonPath();
    JsonPath whole =
        given().get(CATALOG + "explain/tables/" + name + "/size").then().extract().jsonPath();
    assertEquals(day2.getInt("dataFileCount"), read.get("data_files"));
    assertEquals(1, read.get("data_files"));
    assertEquals(day2.getString("sizeBytes"), read.get("bytes"));
    assertEquals(day2.getString("recordCount"), read.get("records"));
    assertEquals("2", read.get("records"));
    assertEquals(whole.getInt("dataFileCount"), read.get("snapshot_data_files"));
    assertEquals(whole.getString("sizeBytes"), read.get("snapshot_bytes"));
    assertEquals(whole.getString("recordCount"), read.get("snapshot_records"));
    assertEquals(whole.getString("snapshotId"), read.get("snapshot_id"));
    assertEquals(1, plan.getInt("dry_run.estimate.data_files"));
    assertEquals(day2.getString("sizeBytes"), plan.getString("dry_run.estimate.bytes"));
    assertNull(plan.get("dry_run.save"));
  }

  @Test
  void aScriptsDryRunRunsTheScriptToItsResultAndComputesNothing() {
    String name = partitionedTable();
    // Computing this result fails (1 / 0 on every row): a dry run must not compute it.
    String script =
        "result = (scan('explain."
            + name
            + "').filter(pl.col('day') == 3)\n"
            + "    .with_columns(y=pl.col('x').map_elements(lambda v: v // 0,"
            + " return_dtype=pl.Int64)))\n";
    Map<String, Object> body = new HashMap<>(Map.of("mode", "script", "script", script));
    Workloads.post(body).statusCode(422).body("error_code", is("SCRIPT_ERROR"));

    body.put("dryRun", true);
    JsonPath plan = Workloads.post(body).statusCode(200).extract().jsonPath();
    assertEquals(List.of("day", "x", "s", "y"), plan.getList("dry_run.columns"));
    assertEquals(1, plan.getList("dry_run.reads").size());
    Map<String, Object> read = plan.getMap("dry_run.reads[0]");
    assertEquals("explain." + name, read.get("table"));
    assertEquals("day = 3", read.get("filter"));
    assertEquals(1, read.get("data_files"));
    assertEquals("2", read.get("records"));
    assertEquals(3, read.get("snapshot_data_files"));
  }

  @Test
  void aSavesVerdictIsTheOneTheSaveThenGives() {
    String table = "explain.saved_" + System.nanoTime();
    String ints = "result = pl.DataFrame({'a': pl.Series([1, 2], dtype=pl.Int32)})\n";
    String wider = "result = pl.DataFrame({'a': [1, 2], 'b': ['x', 'y']})\n";

    // A new table: the save creates it, with these columns.
    Map<String, Object> created = verdict(ints, table, "overwrite", "strict");
    assertEquals(true, created.get("would_save"));
    assertEquals(true, created.get("creates_table"));
    assertEquals(List.of(Map.of("name", "a", "type", "int")), created.get("columns"));
    assertFalse(tableExists(table), "a dry run writes nothing");
    save(ints, table, "overwrite", "strict").statusCode(200).body("saved.table", is(table));

    // strict and another schema: refused, with the sentence the save then answers.
    Map<String, Object> refused = verdict(wider, table, "append", "strict");
    assertEquals(false, refused.get("would_save"));
    assertEquals("SCHEMA_MISMATCH", refused.get("error_code"));
    JsonPath failed = save(wider, table, "append", "strict").statusCode(409).extract().jsonPath();
    assertEquals("SCHEMA_MISMATCH", failed.getString("error_code"));
    assertEquals(failed.getString("error"), refused.get("error"));
    assertEquals(
        List.of(
            Map.of("column", "a", "problem", "type", "table_type", "int", "result_type", "long"),
            difference("b", "extra", null, "string")),
        refused.get("differences"));

    // merge: it passes, widening a and adding b, and the table then has exactly those columns.
    Map<String, Object> merged = verdict(wider, table, "append", "merge");
    assertEquals(true, merged.get("would_save"));
    assertEquals(false, merged.get("creates_table"));
    assertEquals(
        List.of(Map.of("name", "a", "type", "long"), Map.of("name", "b", "type", "string")),
        merged.get("columns"));
    save(wider, table, "append", "merge").statusCode(200);
    String[] parts = table.split("\\.");
    assertEquals(
        List.of("a", "b"),
        given()
            .get(CATALOG + parts[0] + "/tables/" + parts[1])
            .then()
            .statusCode(200)
            .extract()
            .jsonPath()
            .getList("table.schemas[-1].fields.name"));
  }

  private static Map<String, Object> difference(
      String column, String problem, String tableType, String resultType) {
    Map<String, Object> d = new HashMap<>();
    d.put("column", column);
    d.put("problem", problem);
    d.put("table_type", tableType);
    d.put("result_type", resultType);
    return d;
  }

  private static Map<String, Object> verdict(
      String script, String table, String saveMode, String schemaMode) {
    Map<String, Object> body = new HashMap<>(request(script, table, saveMode, schemaMode));
    body.put("dryRun", true);
    return Workloads.post(body).statusCode(200).extract().jsonPath().getMap("dry_run.save");
  }

  private static io.restassured.response.ValidatableResponse save(
      String script, String table, String saveMode, String schemaMode) {
    return Workloads.post(request(script, table, saveMode, schemaMode));
  }

  private static Map<String, Object> request(
      String script, String table, String saveMode, String schemaMode) {
    return Map.of(
        "mode",
        "script",
        "script",
        script,
        "destination",
        table,
        "saveMode",
        saveMode,
        "schemaMode",
        schemaMode);
  }

  private static boolean tableExists(String table) {
    String[] parts = table.split("\\.");
    return given().get(CATALOG + parts[0] + "/tables/" + parts[1]).statusCode() == 200;
  }

  private static org.hamcrest.Matcher<Object> is(Object value) {
    return org.hamcrest.Matchers.is(value);
  }
}
