package dev.floe.catalog;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.floe.testing.HostileFixtures;
import dev.floe.testing.RestLake;
import dev.floe.testing.TempLake;
import dev.floe.testing.Workloads;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Floe on a real Iceberg REST catalog whose warehouse is on S3 (moto), end to end over HTTP:
 * browsing, a query, a script's scan(), time travel, saves committed by the trusted writer, and a
 * hostile run that hunts for the catalog's and S3's credentials (canaries) and finds none.
 */
@QuarkusTest
@QuarkusTestResource(TempLake.class)
@QuarkusTestResource(value = RestLake.class, restrictToAnnotatedClass = true)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RestCatalogS3Test {
  private static final String TABLES = "/api/v1/catalogs/" + RestLake.CATALOG + "/namespaces";

  private static Map<String, Object> body(String mode, String code) {
    Map<String, Object> body = new HashMap<>();
    body.put("mode", mode);
    body.put(mode.equals("query") ? "query" : "script", code);
    body.put("catalog", RestLake.CATALOG);
    return body;
  }

  private static long count(String table) {
    Map<String, Object> body = body("query", "SELECT COUNT(*) AS n FROM t");
    body.put("tables", List.of("t=" + table));
    return Workloads.post(body)
        .log()
        .ifValidationFails()
        .statusCode(200)
        .extract()
        .jsonPath()
        .getLong("results.rows[0][0]");
  }

  @Test
  @Order(1)
  void browsingListsTheSeededTableInItsS3Warehouse() {
    given().get(TABLES).then().statusCode(200).body("namespaces", hasItem("default"));
    given()
        .get(TABLES + "/default/tables")
        .then()
        .statusCode(200)
        .body("tables.table", hasItem("flowers"));
    String table =
        given().get(TABLES + "/default/tables/flowers").then().statusCode(200).extract().asString();
    assertTrue(table.contains("species"), table);
    assertFalse(table.contains("FLOECANARY"), "a credential in the table answer: " + table);
  }

  @Test
  @Order(2)
  void aQueryBindsTheRestTable() {
    Map<String, Object> body =
        body("query", "SELECT species, COUNT(*) AS n FROM f GROUP BY species ORDER BY species");
    body.put("tables", List.of("f=default.flowers"));
    Workloads.post(body)
        .statusCode(200)
        .body("results.rows.size()", equalTo(3))
        .body("results.rows[0][1]", equalTo(50));
  }

  @Test
  @Order(3)
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
  @Order(4)
  void savesOverwriteAndAppendThroughTheTrustedWriterAndTimeTravelReadsTheFirst() {
    String table = "default.petals_" + Long.toHexString(System.nanoTime());
    Map<String, Object> overwrite =
        body("script", "result = scan('default.flowers').select('species', 'petal_length')\n");
    overwrite.put("destination", table);
    overwrite.put("saveMode", "overwrite");
    String first =
        Workloads.post(overwrite)
            .log()
            .ifValidationFails()
            .statusCode(200)
            .body("saved.rows_written", equalTo(150))
            .extract()
            .jsonPath()
            .getString("saved.snapshot_id");
    assertEquals(150, count(table));
    Map<String, Object> append =
        body(
            "script",
            "result = scan('default.flowers').select('species', 'petal_length').head(7)\n");
    append.put("destination", table);
    append.put("saveMode", "append");
    Workloads.post(append).statusCode(200).body("saved.mode", equalTo("append"));
    assertEquals(157, count(table));
    Workloads.post(
            body(
                "script",
                "result = scan('" + table + "', snapshot_id=" + first + ").select(pl.len())\n"))
        .statusCode(200)
        .body("results.rows[0][0]", equalTo(150));
    Workloads.post(overwrite).statusCode(200);
    assertEquals(150, count(table));
  }

  @Test
  @Order(5)
  void aHostileRunFindsNeitherTheCatalogTokenNorTheS3Keys() {
    // The table is granted (its files are in the run), so the search covers what a run can read.
    String control = "FLOECANARY-control-" + System.nanoTime();
    Map<String, Object> params = new HashMap<>();
    params.put("paths", List.of(TempLake.home().resolve("object-cache").toString()));
    params.put("control", control);
    params.put("home", TempLake.home().toString());
    params.put("catalog_db", TempLake.home().resolve("catalog/catalog.db").toString());
    params.put("runners", TempLake.home().resolve("runners").toString());
    Map<String, Object> body =
        body(
            "script",
            "_ = scan('default.flowers').collect()\n"
                + HostileFixtures.fixture("11_read_secrets.py"));
    body.put("params", params);
    body.put("tables", List.of("f=default.flowers"));
    String answer = Workloads.post(body).statusCode(200).extract().asString();
    for (String secret : List.of(RestLake.TOKEN, RestLake.ACCESS_KEY, RestLake.SECRET_KEY)) {
      assertFalse(answer.contains(secret), "a credential leaked into a run: " + secret);
    }
    List<String> hits = new ArrayList<>();
    for (List<Object> row :
        Workloads.post(body)
            .statusCode(200)
            .extract()
            .jsonPath()
            .<List<Object>>getList("results.rows")) {
      @SuppressWarnings("unchecked")
      List<String> found = (List<String>) row.get(2);
      hits.addAll(found);
    }
    assertFalse(hits.isEmpty(), "the control string was not found: the search is broken");
    assertTrue(hits.stream().allMatch(h -> h.startsWith(control)), "found: " + hits);
  }
}
