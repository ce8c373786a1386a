package dev.floe.api;

import static dev.floe.testing.Workloads.post;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.floe.catalog.trusted.TrustedWriterPool;
import dev.floe.testing.TempLake;
import dev.floe.testing.Workloads;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.ValidatableResponse;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Saves when the trusted side misbehaves, through the real HTTP stack and real writer processes: a
 * commit that keeps losing (409 COMMIT_CONFLICT), a writer that hangs (killed at its timeout: 500
 * INTERNAL, nothing saved) or dies between saves (replaced). One writer, a 15 s commit timeout and
 * two commit attempts, so each case takes seconds.
 */
@QuarkusTest
@QuarkusTestResource(TempLake.class)
@TestProfile(SaveRecoveryTest.OneQuickWriter.class)
class SaveRecoveryTest {

  public static class OneQuickWriter implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "floe.save.writers", "1",
          "floe.save.writer-timeout", "PT15S",
          "floe.save.commit-attempts", "2");
    }
  }

  @Inject TrustedWriterPool writers;

  private static String freshTable() {
    return "recover_" + UUID.randomUUID().toString().replace("-", "").substring(0, 8) + ".events";
  }

  private static Map<String, Object> save(String table, String mode, int rows) {
    return Workloads.saving(
        "result = pl.DataFrame({'v': pl.int_range(0, " + rows + ", eager=True)})\n", table, mode);
  }

  /** A fresh table holding 3 rows. */
  private static String tableOfThreeRows() {
    String table = freshTable();
    post(save(table, "overwrite", 3)).statusCode(200);
    return table;
  }

  /** Appending 5 rows fails with {@code status} and {@code code}, naming the table, saying each. */
  private static void appendFails(String table, int status, String code, String... says) {
    ValidatableResponse refused =
        post(save(table, "append", 5))
            .statusCode(status)
            .body("error_code", equalTo(code))
            .body("error", containsString("Cannot save to '" + table + "'"));
    for (String said : says) {
      refused.body("error", containsString(said));
    }
  }

  /** Appending 5 rows to the table of three works: it holds 8. */
  private static ValidatableResponse appendWorks(String table) {
    ValidatableResponse saved = post(save(table, "append", 5)).statusCode(200);
    assertEquals(8, Workloads.rowCount(table));
    return saved;
  }

  private static int snapshots(String table) {
    return given()
        .get("/api/v1/catalogs/lake/namespaces/" + table.split("\\.")[0] + "/tables/events")
        .then()
        .statusCode(200)
        .extract()
        .jsonPath()
        .getList("table.snapshots")
        .size();
  }

  /**
   * The retry loop resolves any burst of competing commits; it gives up only when other writers
   * keep winning for all its attempts. Made deterministic here the way it happens in production:
   * another writer holds the catalog's write lock (SQLite's RESERVED lock) throughout.
   */
  @Test
  void aSaveThatLosesEveryAttemptIsACommitConflictAndSavesNothing() throws Exception {
    String table = tableOfThreeRows();
    String catalog = "jdbc:sqlite:" + TempLake.home().resolve("catalog/catalog.db");
    try (Connection other = DriverManager.getConnection(catalog);
        Statement lock = other.createStatement()) {
      lock.execute("BEGIN IMMEDIATE");
      try {
        appendFails(
            table,
            409,
            "COMMIT_CONFLICT",
            "for 2 attempts in a row, so nothing was saved",
            "retry the request");
      } finally {
        lock.execute("ROLLBACK");
      }
    }
    assertEquals(3, Workloads.rowCount(table));
    assertEquals(1, snapshots(table));
    appendWorks(table); // the lock gone, the retry works
  }

  @Test
  void aHungWriterIsKilledAtItsTimeoutAndTheSaveFailsWithNothingSaved() throws Exception {
    String table = tableOfThreeRows();
    long hung = writers.pids().get(0);
    signal("STOP", hung);

    appendFails(
        table,
        500,
        "INTERNAL",
        "did not finish within 15 s",
        "nothing was saved; retry the request");

    assertFalse(alive(hung), "the hung writer is killed, so it can commit nothing more");
    assertEquals(1, snapshots(table));
    appendWorks(table);
    assertFalse(writers.pids().contains(hung));
  }

  @Test
  void aWriterThatDiedBetweenSavesIsReplaced() throws Exception {
    String table = tableOfThreeRows();
    long dead = writers.pids().get(0);
    signal("KILL", dead);
    for (int i = 0; i < 100 && alive(dead); i++) {
      Thread.sleep(50);
    }

    appendWorks(table).body("saved.rows_written", equalTo(5));

    assertEquals(2, snapshots(table));
    assertFalse(writers.pids().contains(dead));
  }

  private static void signal(String signal, long pid) throws Exception {
    assertEquals(0, new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).start().waitFor());
  }

  private static boolean alive(long pid) {
    return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }
}
