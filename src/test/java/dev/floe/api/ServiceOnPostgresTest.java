package dev.floe.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.floe.testing.Callers;
import dev.floe.testing.TempLake;
import dev.floe.testing.TempPostgres;
import dev.floe.testing.Workloads;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/**
 * Floe end to end on a run store in PostgreSQL ({@code floe.runs.store-url} from {@link
 * TempPostgres}): an async run followed to its result, an Idempotency-Key, API keys, grants and the
 * audit trail through the admin API, each checked in the database itself as well as over HTTP.
 */
@QuarkusTest
@QuarkusTestResource(TempLake.class)
@QuarkusTestResource(value = TempPostgres.class, restrictToAnnotatedClass = true)
class ServiceOnPostgresTest {
  private static final String RUNS = RunsTest.RUNS;

  /*
   * Read when a test runs, not injected: a test class is a bean of every Quarkus application the
   * tests start, and the others have no floe.runs.store-url to inject.
   */
  private final String storeUrl =
      ConfigProvider.getConfig().getOptionalValue("floe.runs.store-url", String.class).orElse("");

  /** The first column of each row {@code sql} selects with {@code args}, as text. */
  private List<String> column(String sql, Object... args) throws SQLException {
    List<String> values = new ArrayList<>();
    try (Connection c = DriverManager.getConnection(storeUrl);
        PreparedStatement p = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        p.setObject(i + 1, args[i]);
      }
      try (ResultSet r = p.executeQuery()) {
        while (r.next()) {
          values.add(r.getString(1));
        }
      }
    }
    return values;
  }

  @Test
  void theRunStoreIsThePostgresDatabaseAtItsNewestSchema() throws Exception {
    assertTrue(storeUrl.startsWith("jdbc:postgresql://127.0.0.1:"), storeUrl);
    assertFalse(Files.exists(TempLake.home().resolve("runs.db")), "no SQLite store beside it");
    assertEquals(
        List.of("1", "2", "3", "4", "5", "6", "7", "8", "9"),
        column(
            "SELECT version FROM floe_runs_schema_history WHERE success ORDER BY installed_rank"));
    // This service registered itself as a replica on the store.
    assertEquals(1, column("SELECT replica_id FROM floe_replicas").size());
    // The admin key of the key file, adopted at start-up into this store.
    assertEquals(
        List.of("admin"), column("SELECT principal FROM floe_api_keys WHERE name='admin'"));
  }

  @Test
  void anAsyncRunIsFollowedThroughStatusAndLogsToItsResult() throws Exception {
    String runId =
        RunsTest.submit(
                RunsTest.script(
                    "print('hello from postgres', flush=True)\n"
                        + "result = pl.DataFrame({'a': [1, 2, 3]})\n"))
            .then()
            .statusCode(202)
            .extract()
            .path("run_id");
    assertEquals("succeeded", RunsTest.awaitStatus(runId, "succeeded"));
    given()
        .get(RUNS + "/" + runId)
        .then()
        .statusCode(200)
        .body("row_count", equalTo(3))
        .body("result_available", is(true));
    // Finished: the logs are read back from the store's record.
    given()
        .queryParam("after", 0)
        .get(RUNS + "/" + runId + "/logs")
        .then()
        .statusCode(200)
        .body("logs", equalTo("hello from postgres\n"))
        .body("complete", is(true));
    given()
        .get(RUNS + "/" + runId + "/result")
        .then()
        .statusCode(200)
        .body("success", is(true))
        .body("results.rows", equalTo(List.of(List.of(1), List.of(2), List.of(3))));
    given().get(RUNS).then().statusCode(200).body("runs.run_id", hasItem(runId));

    assertEquals(
        List.of("SUCCEEDED"), column("SELECT status FROM floe_runs WHERE run_id=?", runId));
    assertEquals(List.of("3"), column("SELECT row_count FROM floe_runs WHERE run_id=?", runId));
    assertNotNull(column("SELECT result_file FROM floe_runs WHERE run_id=?", runId).get(0));
  }

  @Test
  void anIdempotencyKeyReturnsTheFirstRunAndRefusesAnotherBody() throws Exception {
    String key = "k-" + UUID.randomUUID();
    Map<String, Object> body = RunsTest.script("result = pl.DataFrame({'a': [1]})\n");
    String first = RunsTest.submitKeyed(body, key).statusCode(202).extract().path("run_id");
    RunsTest.submitKeyed(body, key).statusCode(200).body("run_id", equalTo(first));
    RunsTest.submitKeyed(RunsTest.script("result = pl.DataFrame({'a': [2]})\n"), key)
        .statusCode(422)
        .body("error_code", equalTo("IDEMPOTENCY_KEY_REUSED"))
        .body("error", containsString(first));
    assertEquals(
        List.of(first),
        column("SELECT run_id FROM floe_idempotency WHERE idem_key LIKE ?", "%\n" + key));
  }

  @Test
  void keysGrantsAndTheAuditTrailAreKeptInPostgres() throws Exception {
    String suffix = UUID.randomUUID().toString().substring(0, 8);
    Callers.Key key = Callers.key("pg-team-" + suffix, "pg-readers-" + suffix);
    String query = "SELECT COUNT(*) AS n FROM flowers";
    Map<String, Object> body = Map.of("mode", "query", "query", query, "tables", Workloads.FLOWERS);

    // No grant yet: the table answers as a missing one.
    key.given()
        .contentType(ContentType.JSON)
        .body(body)
        .post(Workloads.PATH)
        .then()
        .statusCode(404);
    Callers.grant("pg-readers-" + suffix, "read", "lake.default.flowers");
    String runId =
        key.given()
            .contentType(ContentType.JSON)
            .body(body)
            .post(Workloads.PATH)
            .then()
            .statusCode(200)
            .body("results.rows[0][0]", equalTo(150))
            .extract()
            .path("run_id");
    given()
        .get("/api/v1/admin/grants")
        .then()
        .statusCode(200)
        .body("grants.subject", hasItem("pg-readers-" + suffix));
    assertEquals(
        List.of("READ lake.default.flowers"),
        column(
            "SELECT privilege || ' ' || scope FROM floe_grants WHERE subject=?",
            "pg-readers-" + suffix));
    List<String> hash = column("SELECT key_hash FROM floe_api_keys WHERE name=?", key.name());
    assertEquals(64, hash.get(0).length(), "a SHA-256, never the secret");
    assertNotEquals(key.secret(), hash.get(0));

    Callers.revoke(key);
    key.given()
        .contentType(ContentType.JSON)
        .body(body)
        .post(Workloads.PATH)
        .then()
        .statusCode(401);
    assertEquals(
        1,
        column(
                "SELECT revoked_at FROM floe_api_keys WHERE name=? AND revoked_at IS NOT NULL",
                key.name())
            .size());

    given()
        .queryParam("principal", key.principal())
        .get("/api/v1/admin/audit")
        .then()
        .statusCode(200)
        .body("records.find { it.action == 'run' }.runId", equalTo(runId))
        .body(
            "records.find { it.action == 'run' }.tables[0].table", equalTo("lake.default.flowers"))
        .body("records.find { it.status == 404 }.outcome", equalTo("failed"))
        .body("records.find { it.status == 404 }.errorCode", containsString("NOT_FOUND"));
    given()
        .queryParam("runId", runId)
        .get("/api/v1/admin/audit")
        .then()
        .statusCode(200)
        .body("records.action", hasItem("POST " + Workloads.PATH));
    // The refusal of the revoked key has no principal: it was not authenticated.
    assertTrue(
        column("SELECT outcome FROM floe_audit WHERE status=401").contains("refused"),
        "the 401 is audited");
    assertEquals(
        List.of("ok"),
        column(
            "SELECT outcome FROM floe_audit WHERE action='run' AND run_id=? AND principal=?",
            runId,
            key.principal()));
  }
}
