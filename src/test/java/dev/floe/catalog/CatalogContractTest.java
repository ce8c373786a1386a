package dev.floe.catalog;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.floe.testing.Workloads;
import io.restassured.response.ValidatableResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * What Floe does on any catalog type it supports, the same cases for each (as Iceberg's own {@code
 * CatalogTests}): browse, query, a script's scan(), time travel, saves (create, overwrite, append,
 * schema modes, all-or-nothing) and concurrent saves. A subclass names the catalog, configured by
 * its test resources, whose demo table {@code default.flowers} it seeded.
 */
public abstract class CatalogContractTest {

  /** The catalog under test, as requests name it. */
  protected abstract String catalog();

  private String tables() {
    return "/api/v1/catalogs/" + catalog() + "/namespaces";
  }

  /** A run's body on the catalog under test: {@code mode} query or script. */
  protected Map<String, Object> body(String mode, String code) {
    Map<String, Object> body = new HashMap<>();
    body.put("mode", mode);
    body.put(mode.equals("query") ? "query" : "script", code);
    body.put("catalog", catalog());
    return body;
  }

  protected Map<String, Object> saving(String script, String table, String saveMode) {
    Map<String, Object> body = body("script", script);
    body.put("destination", table);
    body.put("saveMode", saveMode);
    return body;
  }

  private ValidatableResponse query(String sql, String... tables) {
    Map<String, Object> body = body("query", sql);
    body.put("tables", List.of(tables));
    return Workloads.post(body).log().ifValidationFails();
  }

  private long count(String table) {
    return query("SELECT COUNT(*) AS n FROM t", "t=" + table)
        .statusCode(200)
        .extract()
        .jsonPath()
        .getLong("results.rows[0][0]");
  }

  /**
   * A new table's name, in the demo's namespace: whether a save creates a namespace is each
   * catalog's setting ({@code floe.save.create-namespaces}), which the subclasses show.
   */
  protected static String freshTable() {
    return "default.contract_" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
  }

  protected static String rows(int n, int k) {
    return "result = pl.DataFrame({'k': ["
        + k
        + "] * "
        + n
        + ", 'v': pl.int_range(0, "
        + n
        + ", eager=True)})\n";
  }

  private int snapshots(String table) {
    String[] parts = table.split("\\.");
    return given()
        .get(tables() + "/" + parts[0] + "/tables/" + parts[1])
        .then()
        .statusCode(200)
        .body("table.current-snapshot-id", notNullValue())
        .extract()
        .jsonPath()
        .getList("table.snapshots")
        .size();
  }

  @Test
  void browsingListsTheDemoTableAndItsSchemaWithoutCredentials() {
    given().get(tables()).then().statusCode(200).body("namespaces", hasItem("default"));
    given()
        .get(tables() + "/default/tables")
        .then()
        .statusCode(200)
        .body("tables.table", hasItem("flowers"));
    String table =
        given()
            .get(tables() + "/default/tables/flowers")
            .then()
            .statusCode(200)
            .extract()
            .asString();
    assertTrue(table.contains("species"), table);
    assertFalse(table.contains("FLOECANARY"), "a credential in the table answer: " + table);
  }

  @Test
  void aQueryBindsTheTable() {
    query(
            "SELECT species, COUNT(*) AS n FROM f GROUP BY species ORDER BY species",
            "f=default.flowers")
        .statusCode(200)
        .body("results.rows.size()", equalTo(3))
        .body("results.rows[0][1]", equalTo(50));
  }

  @Test
  void aScriptScansTheTable() {
    Workloads.post(
            body(
                "script",
                "result = scan('default.flowers').filter(pl.col('species') == 'setosa')"
                    + ".select(pl.len().alias('n'))\n"))
        .log()
        .ifValidationFails()
        .statusCode(200)
        .body("results.rows[0][0]", equalTo(50));
  }

  @Test
  void overwriteCreatesTheTableAppendAddsAndTimeTravelReadsTheFirstSnapshot() {
    String table = freshTable();
    String first =
        Workloads.post(saving(rows(100, 0), table, "overwrite"))
            .log()
            .ifValidationFails()
            .statusCode(200)
            .body("saved.table", equalTo(table))
            .body("saved.rows_written", equalTo(100))
            .body("saved.mode", equalTo("overwrite"))
            .body("saved.snapshot_id", matchesPattern("\\d+"))
            .body("row_count", equalTo(100))
            .extract()
            .jsonPath()
            .getString("saved.snapshot_id");
    Workloads.post(saving(rows(5, 1), table, "append"))
        .statusCode(200)
        .body("saved.mode", equalTo("append"));
    assertEquals(105, count(table));
    Workloads.post(
            body(
                "script",
                "result = scan('" + table + "', snapshot_id=" + first + ").select(pl.len())\n"))
        .statusCode(200)
        .body("results.rows[0][0]", equalTo(100));
    Workloads.post(saving(rows(7, 2), table, "overwrite")).statusCode(200);
    assertEquals(7, count(table));
  }

  @Test
  void aStrictSchemaRefusesAnotherTypeAndCommitsNothing() {
    String table = freshTable();
    Workloads.post(saving(rows(3, 0), table, "overwrite")).statusCode(200);
    Workloads.post(
            saving("result = pl.DataFrame({'k': [1], 'v': ['not an int']})\n", table, "append"))
        .statusCode(409)
        .body("error_code", equalTo("SCHEMA_MISMATCH"))
        .body("error", containsString("schemaMode"))
        .body("details", containsString("v"));
    assertEquals(3, count(table));
  }

  @Test
  void schemaMergeAddsAColumn() {
    String table = freshTable();
    Workloads.post(saving(rows(3, 0), table, "overwrite")).statusCode(200);
    Map<String, Object> body =
        saving("result = pl.DataFrame({'k': [9], 'v': [9], 'extra': ['x']})\n", table, "append");
    body.put("schemaMode", "merge");
    Workloads.post(body).log().ifValidationFails().statusCode(200);
    query("SELECT COUNT(extra) AS n, COUNT(*) AS m FROM t", "t=" + table)
        .statusCode(200)
        .body("results.rows[0]", equalTo(List.of(1, 4)));
  }

  @Test
  void aFailedOrTimedOutRunCommitsNothing() {
    String table = freshTable();
    Workloads.post(saving(rows(10, 0), table, "overwrite")).statusCode(200);
    Workloads.post(
            saving(
                "result = pl.DataFrame({'k': [1], 'v': [1]})\nraise RuntimeError('late')\n",
                table,
                "overwrite"))
        .statusCode(422);
    Map<String, Object> slow =
        saving("import time\ntime.sleep(60)\n" + rows(1, 0), table, "overwrite");
    slow.put("limits", Map.of("timeoutSeconds", 2));
    Workloads.post(slow).statusCode(504);
    assertEquals(10, count(table));
  }

  @Test
  void eightConcurrentAppendsAllLand() throws Exception {
    String table = freshTable();
    Workloads.post(saving(rows(100, 0), table, "overwrite")).statusCode(200);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<String>> answers = new ArrayList<>();
      for (int k = 1; k <= 8; k++) {
        int key = k;
        answers.add(
            pool.submit(
                () ->
                    Workloads.post(saving(rows(1000, key), table, "append")).extract().asString()));
      }
      for (Future<String> answer : answers) {
        String body = answer.get();
        assertTrue(body.contains("\"rows_written\":1000"), body);
      }
    } finally {
      pool.shutdown();
    }
    assertEquals(8100, count(table));
    assertEquals(9, snapshots(table));
  }

  /**
   * An overwrite and an append racing on one table end as if one ran after the other: either the
   * overwrite's rows plus the append's (append second), or the overwrite's rows alone (append
   * first, then replaced); never the old rows surviving an overwrite, never a lost append.
   */
  @Test
  void aConcurrentOverwriteAndAppendAreSerializable() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      for (int round = 0; round < 2; round++) {
        String table = freshTable();
        Workloads.post(saving(rows(10, 0), table, "overwrite")).statusCode(200);
        Future<Integer> overwrite =
            pool.submit(
                () ->
                    Workloads.post(saving(rows(5, 1), table, "overwrite")).extract().statusCode());
        Future<Integer> append =
            pool.submit(
                () -> Workloads.post(saving(rows(3, 2), table, "append")).extract().statusCode());
        assertEquals(200, overwrite.get());
        assertEquals(200, append.get());
        Map<Integer, Integer> byKey = new HashMap<>();
        List<List<Number>> found =
            query("SELECT k, COUNT(*) AS n FROM t GROUP BY k ORDER BY k", "t=" + table)
                .statusCode(200)
                .extract()
                .jsonPath()
                .getList("results.rows");
        found.forEach(r -> byKey.put(r.get(0).intValue(), r.get(1).intValue()));
        boolean appendLast = byKey.equals(Map.of(1, 5, 2, 3));
        boolean overwriteLast = byKey.equals(Map.of(1, 5));
        assertTrue(appendLast || overwriteLast, "not a serial outcome: rows by key " + byKey);
        assertEquals(3, snapshots(table));
      }
    } finally {
      pool.shutdown();
    }
  }
}
