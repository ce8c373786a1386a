package dev.floe.api;

import static dev.floe.testing.Workloads.FLOWERS;
import static dev.floe.testing.Workloads.post;
import static dev.floe.testing.Workloads.query;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;

import dev.floe.testing.TempLake;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Query mode on the demo lake, in the contract's response shape. */
@QuarkusTest
@QuarkusTestResource(TempLake.class)
class QueryModeTest {

  @Test
  void flowersAveragesInTheContractShape() {
    query(
            "SELECT species, AVG(petal_length) AS avg_petal_length FROM flowers"
                + " GROUP BY species ORDER BY species",
            FLOWERS)
        .statusCode(200)
        .body("success", equalTo(true))
        .body("results.columns", contains("species", "avg_petal_length"))
        .body("results.column_types", contains("String", "Float64"))
        .body("results.rows.collect { it[0] }", contains("setosa", "versicolor", "virginica"))
        .body("results.rows[0][1]", closeTo(1.462, 1e-9))
        .body("results.rows[1][1]", closeTo(4.26, 1e-9))
        .body("results.rows[2][1]", closeTo(5.552, 1e-9))
        .body("row_count", equalTo(3))
        .body("execution_time", matchesPattern("\\d+ms"))
        .body("error", nullValue())
        .body("saved", nullValue())
        .body("compute.mode", equalTo("local"))
        .body("compute.distributed", equalTo(false))
        .body("truncated", equalTo(false))
        .body("run_id", startsWith("r-"));
  }

  @Test
  void objectFormOfATableBinding() {
    query("SELECT COUNT(*) AS n FROM f", List.of(Map.of("alias", "f", "table", "default.flowers")))
        .statusCode(200)
        .body("results.rows", equalTo(List.of(List.of(150))));
  }

  @Test
  void plainTableNameBindsUnderItsOwnName() {
    query("SELECT COUNT(*) AS n FROM flowers", List.of("default.flowers"))
        .statusCode(200)
        .body("results.rows[0][0]", equalTo(150));
  }

  @Test
  void selectWithoutTables() {
    query("SELECT 1 AS x", List.of()).statusCode(200).body("results.rows[0][0]", equalTo(1));
  }

  @Test
  void predicatesAndJoinsOnTwoAliasesOfOneTable() {
    query(
            "SELECT a.species, COUNT(*) AS n FROM a JOIN b ON a.species = b.species"
                + " WHERE a.petal_length > 6 AND b.sepal_width > 3.5 GROUP BY a.species",
            List.of("a=default.flowers", "b=default.flowers"))
        .statusCode(200)
        .body("results.rows", equalTo(List.of(List.of("virginica", 27))));
  }

  @Test
  void sqlKeepsTypesAsTheContractSays() {
    query(
            "SELECT CAST('2024-02-29' AS DATE) AS d, CAST(9007199254740993 AS BIGINT) AS big,"
                + " CAST('NaN' AS DOUBLE) AS nan, CAST(NULL AS VARCHAR) AS nothing",
            List.of())
        .statusCode(200)
        .body("results.column_types", contains("Date", "Int64", "Float64", "String"))
        .body("results.rows[0]", contains("2024-02-29", "9007199254740993", "NaN", null));
  }

  @Test
  void timestampsRenderAtTheirUnitsFixedWidth() {
    query(
            "SELECT CAST('2024-01-02 03:04:05' AS TIMESTAMP) AS ts,"
                + " CAST('2024-01-02 03:04:05.5' AS TIMESTAMP) AS half",
            List.of())
        .statusCode(200)
        .body("results.column_types[0]", equalTo("Datetime(time_unit='us', time_zone=None)"))
        .body(
            "results.rows[0]",
            contains("2024-01-02T03:04:05.000000", "2024-01-02T03:04:05.500000"));
  }

  @Test
  void maxRowsTruncatesInlineRowsButCountsAll() {
    post(Map.of(
            "mode",
            "query",
            "query",
            "SELECT * FROM flowers",
            "tables",
            FLOWERS,
            "limits",
            Map.of("maxRows", 10)))
        .statusCode(200)
        .body("results.rows.size()", equalTo(10))
        .body("row_count", equalTo(150))
        .body("truncated", equalTo(true));
  }
}
