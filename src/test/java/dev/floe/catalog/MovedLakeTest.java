package dev.floe.catalog;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;

import dev.floe.testing.MovedLake;
import dev.floe.testing.TempLake;
import dev.floe.testing.Workloads;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A lake moved after its tables were written (`mv floe floe2`): Floe starts, reports the tables
 * whose metadata is gone, answers TABLE_UNREADABLE for them, and serves everything else.
 */
@QuarkusTest
@QuarkusTestResource(TempLake.class)
@QuarkusTestResource(value = MovedLake.class, restrictToAnnotatedClass = true)
class MovedLakeTest {
  private static final String FLOWERS = "/api/v1/catalogs/lake/namespaces/default/tables/flowers";

  private static String oldMetadataDir() {
    return MovedLake.oldHome().resolve("warehouse/default/flowers/metadata/").toString();
  }

  @Test
  void readinessStaysUpAndNamesEachBrokenTable() {
    given()
        .get("/q/health/ready")
        .then()
        .statusCode(200)
        .body("checks.find { it.name == 'catalog' }.status", equalTo("UP"))
        .body("checks.find { it.name == 'catalog' }.data.unreadableTables", equalTo(2))
        .body(
            "checks.find { it.name == 'catalog' }.data.'unreadable lake.default.flowers'",
            allOf(
                containsString("metadata file was expected at " + oldMetadataDir()),
                containsString("lake was moved"),
                containsString(
                    "floe.catalogs.lake.relocate-from="
                        + MovedLake.oldHome().resolve("warehouse"))))
        .body(
            "checks.find { it.name == 'catalog' }.data.readiness",
            containsString("TABLE_UNREADABLE"));
  }

  @Test
  void browsingListsTheTableAndAnswersTableUnreadableForItsMetadataAndSize() {
    given()
        .get("/api/v1/catalogs/lake/namespaces/default/tables")
        .then()
        .statusCode(200)
        .body("tables.table", hasItems("flowers", "other"));
    for (String path : List.of(FLOWERS, FLOWERS + "/size")) {
      given()
          .get(path)
          .then()
          .statusCode(409)
          .body("error_code", equalTo("TABLE_UNREADABLE"))
          .body("error", containsString("Table 'default.flowers' of catalog 'lake'"))
          .body("error", containsString(oldMetadataDir()))
          .body("error", containsString("floe.catalogs.lake.relocate-from="));
    }
  }

  @Test
  void aQueryOnTheTableIsTableUnreadable() {
    Workloads.query("SELECT COUNT(*) AS n FROM f", List.of("f=default.flowers"))
        .statusCode(409)
        .body("error_code", equalTo("TABLE_UNREADABLE"))
        .body("error", containsString(oldMetadataDir()));
  }

  @Test
  void aSaveToTheTableIsTableUnreadableAndTheRestOfTheLakeIsServed() {
    Workloads.post(
            Workloads.saving(
                "result = pl.DataFrame({'species': ['z'], 'n': [1]})", "default.flowers", "append"))
        .statusCode(409)
        .body("error_code", equalTo("TABLE_UNREADABLE"))
        .body("error", containsString("default.flowers"));
    Workloads.post(Workloads.saving("result = pl.DataFrame({'a': [1, 2]})", "default.fresh", null))
        .statusCode(200);
    Workloads.query("SELECT SUM(a) AS s FROM t", List.of("t=default.fresh"))
        .statusCode(200)
        .body("results.rows[0][0]", equalTo(3));
  }
}
