package dev.floe.api;

import static dev.floe.testing.Workloads.FLOWERS;
import static dev.floe.testing.Workloads.post;
import static dev.floe.testing.Workloads.query;
import static dev.floe.testing.Workloads.script;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;

import dev.floe.testing.TempLake;
import dev.floe.testing.Workloads;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every error a user can cause in this slice: its status, its code, and a message naming the fix.
 */
@QuarkusTest
@QuarkusTestResource(TempLake.class)
class WorkloadErrorsTest {

  private static Map<String, Object> flowers(String sql) {
    Map<String, Object> body = new HashMap<>();
    body.put("mode", "query");
    body.put("query", sql);
    body.put("tables", FLOWERS);
    return body;
  }

  @Test
  void unknownFieldNamesTheFieldAndTheLikelyFix() {
    Map<String, Object> body = flowers("SELECT 1 AS x");
    body.put("savemode", "append");
    post(body)
        .statusCode(400)
        .body("success", equalTo(false))
        .body("error_code", equalTo("INVALID_REQUEST"))
        .body("error", containsString("unknown field 'savemode'"))
        .body("error", containsString("did you mean 'saveMode'"))
        .body("details", nullValue());
  }

  @Test
  void bothQueryAndScript() {
    Map<String, Object> body = flowers("SELECT 1 AS x");
    body.put("script", "result = 1");
    post(body)
        .statusCode(400)
        .body("error_code", equalTo("INVALID_REQUEST"))
        .body("error", containsString("set mode to \"script\""));
  }

  @Test
  void neitherQueryNorScript() {
    post(Map.of("mode", "query"))
        .statusCode(400)
        .body("error_code", equalTo("INVALID_REQUEST"))
        .body("error", containsString("without query"));
  }

  @Test
  void missingMode() {
    post(Map.of("query", "SELECT 1"))
        .statusCode(400)
        .body("error_code", equalTo("INVALID_REQUEST"))
        .body("error", containsString("set mode to \"query\" or \"script\""));
  }

  @Test
  void badModeValue() {
    post(Map.of("mode", "sql", "query", "SELECT 1"))
        .statusCode(400)
        .body("error_code", equalTo("INVALID_REQUEST"))
        .body("error", containsString("'sql' is not one of \"query\", \"script\""));
  }

  @Test
  void badAlias() {
    for (String binding :
        List.of("=default.flowers", "1x=default.flowers", "a-b=default.flowers")) {
      query("SELECT 1 AS x", List.of(binding))
          .statusCode(400)
          .body("error_code", equalTo("INVALID_REQUEST"))
          .body("error", containsString("\"flowers=default.flowers\""));
    }
  }

  @Test
  void badTableNames() {
    for (String table : List.of("flowers", "a.b.c", "../etc.passwd", "ns.'t'", ".t", "ns.")) {
      query("SELECT 1 AS x", List.of("x=" + table))
          .statusCode(400)
          .body("error_code", equalTo("INVALID_REQUEST"))
          .body("error", containsString("namespace.table"));
    }
  }

  @Test
  void duplicateAlias() {
    query("SELECT 1 AS x", List.of("f=default.flowers", "f=default.flowers"))
        .statusCode(400)
        .body("error_code", equalTo("INVALID_REQUEST"))
        .body("error", containsString("give each table its own"));
  }

  @Test
  void malformedJsonAndWrongTypes() {
    given()
        .contentType(ContentType.JSON)
        .body("{\"mode\": \"query\", ")
        .post(Workloads.PATH)
        .then()
        .statusCode(400)
        .body("error_code", equalTo("INVALID_REQUEST"))
        .body("error", startsWith("Cannot read the request"));
    post(Map.of("mode", "query", "query", "SELECT 1", "tables", "flowers=default.flowers"))
        .statusCode(400)
        .body("error_code", equalTo("INVALID_REQUEST"))
        .body("error", containsString("tables"));
  }

  @Test
  void emptyBody() {
    given()
        .contentType(ContentType.JSON)
        .post(Workloads.PATH)
        .then()
        .statusCode(400)
        .body("success", equalTo(false))
        .body("error_code", equalTo("INVALID_REQUEST"));
  }

  @Test
  void limitAboveTheCapNamesTheCap() {
    Map<String, Object> body = flowers("SELECT 1 AS x");
    body.put("limits", Map.of("timeoutSeconds", 999_999));
    post(body)
        .statusCode(400)
        .body("error_code", equalTo("INVALID_REQUEST"))
        .body("error", containsString("cap is 3600"));
  }

  @Test
  void sqlSyntaxWithPosition() {
    query("SELECT species\nFROM flowers WHERE = 1", FLOWERS)
        .statusCode(400)
        .body("error_code", equalTo("SQL_SYNTAX"))
        .body("diagnostics.line", equalTo(2))
        .body("diagnostics.column", notNullValue())
        .body("error", containsString("line 2"));
  }

  @Test
  void unknownColumnListsTheValidOnes() {
    query("SELECT no_such_column FROM flowers", FLOWERS)
        .statusCode(422)
        .body("error_code", equalTo("QUERY_ERROR"))
        .body("error", allOf(containsString("no_such_column"), containsString("petal_length")));
  }

  @Test
  void unboundRelationNamesTheBoundAliases() {
    query("SELECT * FROM nope", FLOWERS)
        .statusCode(422)
        .body("error_code", equalTo("QUERY_ERROR"))
        .body("error", allOf(containsString("nope"), containsString("flowers")));
  }

  @Test
  void scriptSyntaxGivesTheUsersLine() {
    script("a = 1\nif a\n    result = 2\n")
        .statusCode(400)
        .body("error_code", equalTo("SCRIPT_SYNTAX"))
        .body("diagnostics.line", equalTo(2))
        .body("error", containsString("line 2"));
  }

  @Test
  void scriptRuntimeErrorGivesTheUsersLineAndTrimmedTraceback() {
    script("def f(x):\n    return 1 / x\n\nresult = f(0)\n")
        .statusCode(422)
        .body("error_code", equalTo("SCRIPT_ERROR"))
        .body("diagnostics.line", equalTo(2))
        .body("error", containsString("ZeroDivisionError"))
        .body("details", containsString("script.py\", line 4"))
        .body("details", containsString("script.py\", line 2"))
        .body("details", not(containsString("floe_harness")))
        .body("diagnostics.frames.file", everyItem(equalTo("script.py")));
  }

  @Test
  void resultNotAssigned() {
    script("x = 1\n")
        .statusCode(422)
        .body("error_code", equalTo("RESULT_NOT_ASSIGNED"))
        .body("error", containsString("assign"));
  }

  @Test
  void resultWrongTypeNamesTheType() {
    script("result = {'a': 1}\n")
        .statusCode(422)
        .body("error_code", equalTo("RESULT_WRONG_TYPE"))
        .body("error", containsString("dict"))
        .body("error", containsString("LazyFrame or DataFrame"));
  }

  @Test
  void unknownTableListsWhatExists() {
    query("SELECT * FROM x", List.of("x=default.flowerz"))
        .statusCode(404)
        .body("error_code", equalTo("TABLE_NOT_FOUND"))
        .body("error", allOf(containsString("flowers"), containsString("did you mean")));
  }

  @Test
  void unknownNamespaceListsWhatExists() {
    query("SELECT * FROM x", List.of("x=nowhere.flowers"))
        .statusCode(404)
        .body("error_code", equalTo("NAMESPACE_NOT_FOUND"))
        .body("error", containsString("default"));
  }

  @Test
  void unknownTableInAScriptScan() {
    script("result = scan('default.nope')\n")
        .statusCode(404)
        .body("error_code", equalTo("TABLE_NOT_FOUND"))
        .body("error", containsString("flowers"));
  }

  @Test
  void unknownCatalogListsTheConfiguredOnes() {
    Map<String, Object> body = flowers("SELECT 1 AS x");
    body.put("catalog", "nope");
    post(body)
        .statusCode(404)
        .body("error_code", equalTo("CATALOG_NOT_FOUND"))
        .body("error", containsString("lake"));
  }

  @Test
  void theHostedSdksCatalogNameIsAnAliasOfTheDefault() {
    Map<String, Object> body = flowers("SELECT COUNT(*) AS n FROM flowers");
    body.put("catalog", "oleander");
    post(body).statusCode(200).body("results.rows[0][0]", equalTo(150));
  }

  @Test
  void timeoutStopsTheRun() {
    post(Map.of(
            "mode",
            "script",
            "script",
            "import time\ntime.sleep(600)\n",
            "limits",
            Map.of("timeoutSeconds", 2)))
        .statusCode(504)
        .body("error_code", equalTo("TIMEOUT"))
        .body("error", containsString("2 s"))
        .body("error", containsString("limits.timeoutSeconds"));
  }

  @Test
  void distributedWithoutPolarsCloud() {
    Map<String, Object> body = flowers("SELECT 1 AS x");
    body.put("distributed", true);
    post(body)
        .statusCode(503)
        .body("error_code", equalTo("DISTRIBUTED_UNAVAILABLE"))
        .body("error", containsString("remove distributed"));
  }

  @Test
  void problemJsonWhenAskedFor() {
    given()
        .contentType(ContentType.JSON)
        .accept("application/problem+json")
        .body(Map.of("mode", "query"))
        .post(Workloads.PATH)
        .then()
        .statusCode(400)
        .contentType("application/problem+json")
        .body("error_code", equalTo("INVALID_REQUEST"))
        .body("status", equalTo(400))
        .body("title", equalTo("INVALID_REQUEST"))
        .body("type", notNullValue());
  }

  @Test
  void theServiceKeepsServingAfterErrors() {
    script("raise SystemExit(3)\n").statusCode(422).body("error_code", equalTo("SCRIPT_ERROR"));
    script("import os\nos._exit(7)\n")
        .statusCode(422)
        .body("error_code", equalTo("SCRIPT_ERROR"))
        .body("error", containsString("status 7"));
    query("SELECT COUNT(*) AS n FROM flowers", FLOWERS).statusCode(200);
  }
}
