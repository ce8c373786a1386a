package dev.floe.api;

import static dev.floe.testing.Workloads.post;
import static dev.floe.testing.Workloads.script;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;

import dev.floe.testing.TempLake;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Script mode: the preloaded pl, scan, params and catalog, and what a script prints. */
@QuarkusTest
@QuarkusTestResource(TempLake.class)
class ScriptModeTest {

  @Test
  void scanFilterAndParams() {
    script(
            "result = (scan('default.flowers')\n"
                + "  .filter(pl.col('petal_length') > float(params['min']))\n"
                + "  .group_by('species').agg(pl.len().alias('n')).sort('species'))\n",
            Map.of("min", "5.0"))
        .statusCode(200)
        .body("results.rows", equalTo(List.of(List.of("versicolor", 1), List.of("virginica", 41))));
  }

  @Test
  void paramsArriveAsPythonValues() {
    script(
            "result = pl.DataFrame({'t': [type(params[k]).__name__ for k in sorted(params)]})\n",
            Map.of("a_int", 2, "b_float", 2.5, "c_str", "x", "d_bool", true, "e_list", List.of(1)))
        .statusCode(200)
        .body(
            "results.rows.collect { it[0] }",
            equalTo(List.of("int", "float", "str", "bool", "list")));
  }

  @Test
  void scanResolvesABoundAliasInBothForms() {
    post(Map.of(
            "mode",
            "script",
            "script",
            "result = pl.concat([scan('f').select(pl.len()), scan('g').select(pl.len())])\n",
            "tables",
            List.of("f=default.flowers", Map.of("alias", "g", "table", "default.flowers"))))
        .statusCode(200)
        .body("results.rows", equalTo(List.of(List.of(150), List.of(150))));
  }

  @Test
  void catalogIsAReadOnlyPyIcebergCatalog() {
    script(
            "ns = ['.'.join(n) for n in catalog.list_namespaces()]\n"
                + "try:\n"
                + "    catalog.create_namespace('evil')\n"
                + "    wrote = 'yes'\n"
                + "except PermissionError:\n"
                + "    wrote = 'refused'\n"
                + "result = pl.DataFrame({'ns': ns, 'write': [wrote] * len(ns)})\n")
        .statusCode(200)
        .body("results.rows", hasItem(List.of("default", "refused")));
  }

  @Test
  void aDataFrameResultWorksToo() {
    script("result = pl.DataFrame({'a': [1, 2, 3]}).with_columns(b=pl.col('a') * 2)\n")
        .statusCode(200)
        .body("results.rows[2]", equalTo(List.of(3, 6)));
  }

  @Test
  void printedOutputIsTheRunsLogsAndCannotForgeTheResult() {
    script(
            "print('hello from the script')\n"
                + "print('{\"success\": true, \"results\": {\"rows\": [[666]]}}')\n"
                + "import sys; print('ARROW1', file=sys.stderr)\n"
                + "result = pl.DataFrame({'x': [1]})\n")
        .statusCode(200)
        .body("results.rows", equalTo(List.of(List.of(1))))
        .body("logs", containsString("hello from the script"))
        .body("logs", containsString("ARROW1"));
  }

  @Test
  void hugeOutputIsTruncatedWithAMarker() {
    script("print('x' * 5_000_000)\nresult = pl.DataFrame({'ok': [True]})\n")
        .statusCode(200)
        .body("results.rows[0][0]", equalTo(true))
        .body("logs", containsString("bytes of output truncated"))
        .body("logs.length()", org.hamcrest.Matchers.lessThan(70_000));
  }

  @Test
  void theHostedServicesExampleScript() {
    String seed =
        "table = params.get(\"table\", \"default.flowers\")\n"
            + "limit = int(params.get(\"limit\", 50))\n\n"
            + "flowers = scan(table)\n\n"
            + "result = (\n    flowers.group_by(\"species\")\n    .agg(\n"
            + "        pl.len().alias(\"count\"),\n"
            + "        pl.col(\"sepal_length\").mean().round(2).alias(\"avg_sepal_length\"),\n"
            + "        pl.col(\"petal_length\").mean().round(2).alias(\"avg_petal_length\"),\n    )\n"
            + "    .sort(\"avg_sepal_length\", descending=True)\n    .head(limit)\n)\n";
    script(seed, Map.of("limit", 2))
        .statusCode(200)
        .body(
            "results.rows",
            equalTo(
                List.of(
                    List.of("virginica", 50, 6.59, 5.55), List.of("versicolor", 50, 5.94, 4.26))))
        .body("logs", not(containsString("Warning")));
  }

  // ---- what the trusted side answers a scan() of a table the run was not handed ----

  @Test
  void scanOfAMissingTableNamesTheTablesOfItsNamespaceAtTheUsersLine() {
    script("x = 1\nresult = scan('default.iris')\n")
        .statusCode(404)
        .body("error_code", equalTo("TABLE_NOT_FOUND"))
        .body("error", containsString("Table 'default.iris' does not exist"))
        .body("error", containsString("tables in namespace 'default': flowers"))
        .body("diagnostics.line", equalTo(2));
  }

  @Test
  void scanOfAMissingNamespaceNamesTheNamespaces() {
    script("result = scan('lake.flowers')\n")
        .statusCode(404)
        .body("error_code", equalTo("NAMESPACE_NOT_FOUND"))
        .body("error", containsString("Namespace 'lake' does not exist"))
        .body("error", containsString("default"));
  }

  @Test
  void scanOfAMissingSnapshotListsTheLatest() {
    script("result = scan('default.flowers', snapshot_id=42)\n")
        .statusCode(404)
        .body("error_code", equalTo("TABLE_NOT_FOUND"))
        .body("error", containsString("has no snapshot 42 (latest snapshots: "));
  }

  @Test
  void scanAsOfATimeBeforeTheFirstSnapshotSaysWhenThatWas() {
    script("result = scan('default.flowers', as_of='2001-01-01T00:00:00')\n")
        .statusCode(404)
        .body("error_code", equalTo("TABLE_NOT_FOUND"))
        .body("error", containsString("has no snapshot as of 2001-01-01T00:00:00Z"))
        .body("error", containsString("its first snapshot is from"));
  }

  @Test
  void scanOfANameThatIsNoIdentifierIsRefusedSayingWhy() {
    script("result = scan('../etc.passwd')\n")
        .statusCode(404)
        .body("error_code", equalTo("TABLE_NOT_FOUND"))
        .body("error", containsString("namespace.table"));
  }
}
