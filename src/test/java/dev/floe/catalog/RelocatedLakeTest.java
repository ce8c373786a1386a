package dev.floe.catalog;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.floe.testing.MovedLake;
import dev.floe.testing.TempLake;
import dev.floe.testing.Workloads;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The same moved lake started with floe.catalogs.lake.relocate-from=<old warehouse>: every table is
 * rewritten to the new place and reads, time-travels, browses and saves as before the move.
 */
@QuarkusTest
@QuarkusTestResource(TempLake.class)
@QuarkusTestResource(
    value = MovedLake.class,
    restrictToAnnotatedClass = true,
    initArgs = @ResourceArg(name = "relocate", value = "true"))
class RelocatedLakeTest {
  private static final String TABLES = "/api/v1/catalogs/lake/namespaces/default/tables/";

  @Test
  void noTableIsUnreadableAfterTheRelocation() throws Exception {
    given()
        .get("/q/health/ready")
        .then()
        .statusCode(200)
        .body("checks.find { it.name == 'catalog' }.data.unreadableTables", equalTo(0));
    Path warehouse = MovedLake.home().resolve("warehouse");
    assertFalse(Files.exists(warehouse.resolve(LakeRelocation.STAGING)), "staging left behind");
    try (Stream<Path> files = Files.walk(warehouse)) {
      Path current =
          files
              .filter(p -> p.getFileName().toString().endsWith(".metadata.json"))
              .max((a, b) -> a.getFileName().compareTo(b.getFileName()))
              .orElseThrow();
      assertTrue(
          Files.readString(current).contains(warehouse.toString()), "metadata names new place");
    }
  }

  @Test
  void tablesReadAtTheirCurrentAndAnEarlierSnapshot() {
    Workloads.query("SELECT SUM(n) AS s FROM f", List.of("f=default.flowers"))
        .statusCode(200)
        .body("results.rows[0][0]", equalTo(6));
    Workloads.query(
            "SELECT COUNT(*) AS c FROM f",
            List.of(
                Map.of(
                    "alias",
                    "f",
                    "table",
                    "default.flowers",
                    "snapshotId",
                    String.valueOf(MovedLake.firstSnapshot()))))
        .statusCode(200)
        .body("results.rows[0][0]", equalTo(2));
    Workloads.query("SELECT MIN(n) AS m FROM o", List.of("o=default.other"))
        .statusCode(200)
        .body("results.rows[0][0]", equalTo(9));
  }

  @Test
  void browsingShowsTheNewLocationAndSizes() {
    given()
        .get(TABLES + "flowers")
        .then()
        .statusCode(200)
        .body("table.location", startsWith("file://" + MovedLake.home().resolve("warehouse")));
    given()
        .get(TABLES + "flowers/size")
        .then()
        .statusCode(200)
        .body("recordCount", equalTo("3"))
        .body("dataFileCount", equalTo(2));
  }

  @Test
  void aSaveAppendsToTheRelocatedTable() {
    Workloads.post(
            Workloads.saving(
                "result = pl.DataFrame({'species': ['q'], 'n': [10]})", "default.other", "append"))
        .statusCode(200);
    Workloads.query("SELECT SUM(n) AS s FROM o", List.of("o=default.other"))
        .statusCode(200)
        .body("results.rows[0][0]", equalTo(19));
  }
}
