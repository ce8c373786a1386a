package dev.floe.auth;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.anyOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.floe.testing.Callers;
import dev.floe.testing.TempLake;
import dev.floe.testing.Workloads;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Two teams share one lake: A may read and write its namespace, B's group may read B's. A cannot
 * reach B's tables by binding, scan(), the catalog in a script, browsing, or B's files; cannot save
 * into B's namespace; sees only its own runs; and B's table names never appear in what A is told.
 */
@QuarkusTest
@QuarkusTestResource(TempLake.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TwoTeamsTest {
  private static final String RUNS = "/api/v1/warehouse/polars/runs";
  private final String suffix = UUID.randomUUID().toString().substring(0, 6);
  private final String nsA = "team_a_" + suffix;
  private final String nsB = "team_b_" + suffix;
  private final String shared = "shared_" + suffix;
  private Callers.Key a;
  private Callers.Key b;

  private boolean made;

  /** Once, when RestAssured knows the service's port (it does not yet in a @BeforeAll). */
  @BeforeEach
  void twoTeams() {
    if (made) {
      return;
    }
    made = true;
    save(nsA + ".sales", "result = pl.DataFrame({'amount': [1, 2, 3]})");
    save(nsB + ".payroll_secret", "result = pl.DataFrame({'salary': [100, 200]})");
    save(shared + ".for_a", "result = pl.DataFrame({'x': [1]})");
    save(shared + ".hidden_b_table", "result = pl.DataFrame({'y': [2]})");
    a = Callers.key("team-a-" + suffix);
    b = Callers.key("bob-" + suffix, "b-analysts-" + suffix);
    Callers.grant(a.principal(), "write", "lake." + nsA);
    Callers.grant(a.principal(), "read", "lake." + shared + ".for_a");
    Callers.grant("b-analysts-" + suffix, "read", "lake." + nsB);
  }

  private static void save(String table, String script) {
    Workloads.post(Workloads.saving(script, table, null)).statusCode(200);
  }

  private ValidatableResponse run(Callers.Key key, Map<String, Object> body) {
    return key.given().contentType(ContentType.JSON).body(body).post(Workloads.PATH).then();
  }

  private ValidatableResponse query(Callers.Key key, String binding) {
    return run(
        key, Map.of("mode", "query", "query", "SELECT * FROM t", "tables", List.of(binding)));
  }

  private ValidatableResponse script(Callers.Key key, String source) {
    return run(key, Map.of("mode", "script", "script", source));
  }

  /** The error code and sentence of a refusal: what the caller is told (run ids differ). */
  private static String errorOf(ValidatableResponse refused) {
    var json = refused.statusCode(404).extract().jsonPath();
    return json.getString("error_code") + ": " + json.getString("error");
  }

  @Test
  void eachTeamReadsWhatItWasGranted() {
    query(a, "t=" + nsA + ".sales").statusCode(200).body("row_count", equalTo(3));
    query(b, "t=" + nsB + ".payroll_secret").statusCode(200).body("row_count", equalTo(2));
    query(a, "t=" + shared + ".for_a").statusCode(200);
  }

  @Test
  void aBindingOfTheOtherTeamsTableAnswersAsAMissingOne() {
    String hidden = errorOf(query(a, "t=" + nsB + ".payroll_secret"));
    String missing = errorOf(query(a, "t=" + nsB + ".no_such_table"));
    String nowhere = errorOf(query(a, "t=team_c_" + suffix + ".payroll_secret"));
    assertEquals(
        hidden.replace("payroll_secret", "X"),
        missing.replace("no_such_table", "X"),
        "an existing table out of reach reads exactly as a missing one");
    assertEquals(
        hidden.replace(nsB, "NS"),
        nowhere.replace("team_c_" + suffix, "NS"),
        "a namespace out of reach reads exactly as a missing one");
    assertTrue(hidden.contains("NAMESPACE_NOT_FOUND"), hidden);
    assertFalse(hidden.contains("default"), "A has no grant on default: " + hidden);
  }

  @Test
  void inASharedNamespaceOnlyTheGrantedTableIsNamedNeverTheOthers() {
    String near = errorOf(query(a, "t=" + shared + ".hidden_b_tabl"));
    assertTrue(near.contains("TABLE_NOT_FOUND"), near);
    assertTrue(near.contains("for_a"), "what A may see is listed: " + near);
    assertFalse(near.contains("hidden_b_table"), "no did-you-mean to B's table: " + near);
    String exact = errorOf(query(a, "t=" + shared + ".hidden_b_table"));
    assertFalse(exact.replace(shared + ".hidden_b_table", "").contains("hidden_b_table"), exact);
  }

  @Test
  void scanAndTheCatalogInAScriptSeeOnlyWhatIsGranted() {
    script(a, "result = scan('" + nsB + ".payroll_secret')")
        .statusCode(404)
        .body("error_code", equalTo("NAMESPACE_NOT_FOUND"))
        .body("error", not(containsString("payroll")));
    String listing =
        script(
                a,
                "names = [str(n) for n in catalog.list_namespaces()]\n"
                    + "tables = [str(t) for t in catalog.list_tables('"
                    + shared
                    + "')]\n"
                    + "result = pl.DataFrame({'n': [repr(names) + repr(tables)]})")
            .statusCode(200)
            .extract()
            .path("results.rows[0][0]");
    assertTrue(listing.contains(nsA) && listing.contains("for_a"), listing);
    assertFalse(listing.contains(nsB), listing);
    assertFalse(listing.contains("hidden_b_table"), listing);
    assertFalse(listing.contains("default"), listing);
    script(a, "t = catalog.load_table('" + nsB + ".payroll_secret')\nresult = pl.DataFrame()")
        .statusCode(404)
        .body("error", not(containsString("payroll_secret'?")));
  }

  @Test
  void theOtherTeamsFilesCannotBeOpenedFromAScript() {
    String location =
        given()
            .get("/api/v1/catalogs/lake/namespaces/" + nsB + "/tables/payroll_secret")
            .then()
            .statusCode(200)
            .extract()
            .path("table.location");
    String dir = location.replaceFirst("^file:", "");
    script(
            a,
            "import os\n"
                + "seen = []\n"
                + "for p in ["
                + "'"
                + dir
                + "', '"
                + dir
                + "/metadata', '"
                + dir
                + "/data']:\n"
                + "    try:\n"
                + "        seen.append(p + ':' + ','.join(os.listdir(p)))\n"
                + "    except OSError as e:\n"
                + "        seen.append(p + ':' + type(e).__name__)\n"
                + "result = pl.DataFrame({'seen': seen})")
        .statusCode(200)
        .body(
            "results.rows.flatten()",
            everyItem(
                anyOf(containsString("FileNotFoundError"), containsString("PermissionError"))));
  }

  @Test
  void savingIntoTheOtherTeamsNamespaceIsForbiddenAndCommitsNothing() {
    Map<String, Object> body = new HashMap<>();
    body.put("mode", "script");
    body.put("script", "result = pl.DataFrame({'salary': [0]})");
    body.put("destination", nsB + ".payroll_secret");
    run(a, body)
        .statusCode(403)
        .body("error_code", equalTo("FORBIDDEN"))
        .body("error", containsString("floe grants add"));
    body.put("destination", nsB + ".new_table");
    run(b, body).statusCode(403).body("error_code", equalTo("FORBIDDEN"));
    query(b, "t=" + nsB + ".payroll_secret").statusCode(200).body("row_count", equalTo(2));
    body.put("destination", nsA + ".mine");
    run(a, body).statusCode(200).body("saved.rows_written", equalTo(1));
  }

  @Test
  void browsingShowsEachTeamOnlyItsOwn() {
    a.given()
        .get("/api/v1/catalogs/lake/namespaces")
        .then()
        .statusCode(200)
        .body("namespaces", hasItem(nsA))
        .body("namespaces", not(hasItem(nsB)))
        .body("namespaces", not(hasItem("default")));
    a.given()
        .get("/api/v1/catalogs/lake/namespaces/" + nsB + "/tables")
        .then()
        .statusCode(404)
        .body("error_code", equalTo("NAMESPACE_NOT_FOUND"));
    a.given()
        .get("/api/v1/catalogs/lake/namespaces/" + nsB + "/tables/payroll_secret")
        .then()
        .statusCode(404);
    a.given()
        .get("/api/v1/catalogs/lake/namespaces/" + shared + "/tables")
        .then()
        .statusCode(200)
        .body("tables.table", equalTo(List.of("for_a")));
    String all =
        a.given().get("/api/v1/catalogs?counts=true").then().statusCode(200).extract().asString();
    assertFalse(
        all.contains(nsB) || all.contains("hidden_b_table") || all.contains("flowers"), all);
    b.given()
        .get("/api/v1/catalogs/oleander/namespaces")
        .then()
        .statusCode(200)
        .body("namespaces", equalTo(List.of(nsB)));
  }

  @Test
  void runsArePrivateAndIdempotencyKeysBelongToTheirPrincipal() {
    String runOfB =
        b.given()
            .contentType(ContentType.JSON)
            .body(Map.of("mode", "script", "script", "result = pl.DataFrame({'v': [1]})"))
            .post(RUNS)
            .then()
            .statusCode(202)
            .extract()
            .path("run_id");
    for (String path : List.of("", "/logs", "/result")) {
      a.given()
          .get(RUNS + "/" + runOfB + path)
          .then()
          .statusCode(404)
          .body("error_code", equalTo("RUN_NOT_FOUND"));
    }
    a.given().delete(RUNS + "/" + runOfB).then().statusCode(404);
    a.given()
        .get(RUNS + "?limit=1000")
        .then()
        .statusCode(200)
        .body("runs.run_id", not(hasItem(runOfB)));
    b.given().get(RUNS + "/" + runOfB + "/result").then().statusCode(200);
    given().get(RUNS + "/" + runOfB).then().statusCode(200);

    String key = "same-key-" + suffix;
    a.given()
        .header("Idempotency-Key", key)
        .contentType(ContentType.JSON)
        .body(Map.of("mode", "script", "script", "result = pl.DataFrame({'v': [1]})"))
        .post(Workloads.PATH)
        .then()
        .statusCode(200);
    b.given()
        .header("Idempotency-Key", key)
        .contentType(ContentType.JSON)
        .body(Map.of("mode", "script", "script", "result = pl.DataFrame({'v': [2]})"))
        .post(Workloads.PATH)
        .then()
        .statusCode(200)
        .body("results.rows[0][0]", equalTo(2));
  }

  @Test
  void theAuditTrailRecordsWhoReadWhatAndWhoWasRefused() {
    query(a, "t=" + nsA + ".sales").statusCode(200);
    query(a, "t=" + nsB + ".payroll_secret").statusCode(404);
    Callers.Key stranger = Callers.key("stranger-" + suffix);
    stranger.given().get("/api/v1/admin/keys").then().statusCode(403);
    given()
        .header("Authorization", "Bearer floe_forged")
        .get("/api/v1/whoami")
        .then()
        .statusCode(401);

    ValidatableResponse trail =
        given().get("/api/v1/admin/audit?principal=" + a.principal()).then().statusCode(200);
    trail.body(
        "records.find { it.action == 'run' && it.outcome == 'ok' }.tables[0].table",
        equalTo("lake." + nsA + ".sales"));
    trail.body(
        "records.find { it.action == 'POST /api/v1/warehouse/polars' && it.status == 404 }.errorCode",
        equalTo("NAMESPACE_NOT_FOUND"));
    trail.body("records.action", hasItem("run"));
    String everything = trail.extract().asString();
    assertFalse(everything.contains("SELECT * FROM t"), "no query text, only its hash");
    assertFalse(everything.contains(a.secret()), "no key");
    given()
        .get("/api/v1/admin/audit?principal=" + stranger.principal() + "&outcome=refused")
        .then()
        .body("records[0].status", equalTo(403))
        .body("records[0].errorCode", equalTo("FORBIDDEN"));
    given()
        .get("/api/v1/admin/audit?outcome=refused&limit=50")
        .then()
        .body("records.find { it.status == 401 }.principal", is((Object) null));
  }
}
