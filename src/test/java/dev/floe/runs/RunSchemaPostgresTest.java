package dev.floe.runs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.floe.testing.TempPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The run store on PostgreSQL: its migrations, its connection, where it is and as whom. */
class RunSchemaPostgresTest {
  @TempDir Path dir;

  /** version:description:type of each applied migration, in order. */
  private static List<String> history(String url) throws SQLException {
    List<String> versions = new ArrayList<>();
    try (Connection c = DriverManager.getConnection(url);
        Statement s = c.createStatement();
        ResultSet r =
            s.executeQuery(
                "SELECT version, description, type FROM "
                    + RunSchema.HISTORY_TABLE
                    + " WHERE success ORDER BY installed_rank")) {
      while (r.next()) {
        versions.add(r.getString(1) + ":" + r.getString(2) + ":" + r.getString(3));
      }
    }
    return versions;
  }

  @Test
  void aNewStoreIsCreatedByMigrationsThatLineUpWithSqlites() throws Exception {
    String url = TempPostgres.newDatabase("floe_schema_test");
    try (Stores stores = Stores.open(url)) {
      stores.store().insert(Stores.queued("r-1", Instant.now()));
    }
    String sqlite = "jdbc:sqlite:" + dir.resolve("runs.db");
    Stores.open(sqlite).close();
    List<String> applied = history(url);
    assertEquals(9, applied.size(), applied.toString());
    assertEquals(history(sqlite), applied, "the same versions, names and kinds on both");
    assertEquals(0, RunSchema.migrate(url).migrationsExecuted, "a second start migrates nothing");
  }

  @Test
  void aBrokenConnectionIsReplacedAndTheTransactionRunOnceMore() throws Exception {
    String url = TempPostgres.newDatabase("floe_schema_test");
    try (Stores stores = Stores.open(url)) {
      RunStore store = stores.store();
      store.insert(Stores.queued("r-before", Instant.now()));
      assertTrue(terminateConnections(url) >= 1, "the store's connection");
      // The next transaction finds its connection gone, reconnects, and runs on the new one.
      store.insert(Stores.queued("r-after", Instant.now()));
      assertEquals(2, store.list(null, null, 10).size());
      assertTrue(terminateConnections(url) >= 1);
      assertTrue(store.get("r-before").isPresent());
    }
  }

  @Test
  void theUserAndPasswordSettingsAreWhomTheStoreConnectsAs() throws Exception {
    String role = "floe_" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
    String base = TempPostgres.newDatabase("floe_schema_test");
    String database = base.substring(base.lastIndexOf('/') + 1, base.indexOf('?'));
    try (Connection admin = TempPostgres.server().admin();
        Statement s = admin.createStatement()) {
      s.execute("CREATE ROLE " + role + " LOGIN PASSWORD 'not-checked-here'");
      s.execute("ALTER DATABASE " + database + " OWNER TO " + role);
      s.execute("GRANT ALL ON SCHEMA public TO " + role);
    }
    // No user in the URL: the store's user setting says who (the server trusts loopback).
    String url = "jdbc:postgresql://127.0.0.1:" + TempPostgres.server().port() + "/" + database;
    try (RunDatabase db =
        RunDatabase.open(new RunDatabase.Location(url, role, "not-checked-here"))) {
      assertEquals(
          role,
          db.transaction(
              "ask who",
              c -> {
                try (Statement s = c.createStatement();
                    ResultSet r = s.executeQuery("SELECT current_user")) {
                  r.next();
                  return r.getString(1);
                }
              }));
    }
    try (Connection c = DriverManager.getConnection(base);
        PreparedStatement p =
            c.prepareStatement("SELECT tableowner FROM pg_tables WHERE tablename='floe_runs'")) {
      try (ResultSet r = p.executeQuery()) {
        assertTrue(r.next());
        assertEquals(role, r.getString(1), "migrated as the store's user too");
      }
    }
  }

  @Test
  void tablesOfTheSameNamesInAnotherSchemaAreNotTakenForAStoreFromBeforeMigrations()
      throws Exception {
    String url = TempPostgres.newDatabase("floe_schema_test");
    try (Connection c = DriverManager.getConnection(url);
        Statement s = c.createStatement()) {
      s.execute("CREATE SCHEMA other");
      s.execute("CREATE TABLE other.floe_runs (run_id TEXT PRIMARY KEY)");
    }
    try (Stores stores = Stores.open(url)) {
      stores.store().insert(Stores.queued("r-1", Instant.now()));
    }
    assertEquals("1:runs:SQL", history(url).get(0), "created by V1, not baselined");
  }

  @Test
  void aStoreInASchemaOfItsOwnIsCreatedThere() throws Exception {
    String base = TempPostgres.newDatabase("floe_schema_test");
    try (Connection c = DriverManager.getConnection(base);
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE public.floe_runs (run_id TEXT PRIMARY KEY)");
    }
    String url = base + "&currentSchema=floe_store";
    try (Stores stores = Stores.open(url)) {
      stores.store().insert(Stores.queued("r-1", Instant.now()));
      assertTrue(stores.store().get("r-1").isPresent());
    }
    List<String> applied = history(url);
    assertEquals("null:<< Flyway Schema Creation >>:SCHEMA", applied.get(0), "Flyway made it");
    assertEquals("1:runs:SQL", applied.get(1), "then V1 ran: not baselined");
    try (Connection c = DriverManager.getConnection(base);
        Statement s = c.createStatement();
        ResultSet r =
            s.executeQuery(
                "SELECT count(*) FROM information_schema.tables WHERE table_schema='floe_store'")) {
      r.next();
      assertEquals(8, r.getInt(1), "seven tables and the schema history, in its own schema");
    }
  }

  @Test
  void aDatabaseNotInUtf8IsRefusedSayingSo() throws Exception {
    String name = "floe_ascii_" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
    try (Connection admin = TempPostgres.server().admin();
        Statement s = admin.createStatement()) {
      s.execute("CREATE DATABASE " + name + " ENCODING 'SQL_ASCII' TEMPLATE template0");
    }
    IllegalStateException refused =
        assertThrows(
            IllegalStateException.class, () -> RunDatabase.open(TempPostgres.server().url(name)));
    assertTrue(refused.getMessage().contains("needs UTF8"), refused.getMessage());
    assertFalse(refused.getMessage().contains("password"), refused.getMessage());
  }

  /** Ends every connection to the URL's database but this one; returns how many. */
  private static int terminateConnections(String url) throws SQLException {
    String database = url.substring(url.lastIndexOf('/') + 1, url.indexOf('?'));
    try (Connection admin = TempPostgres.server().admin();
        PreparedStatement p =
            admin.prepareStatement(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                    + " WHERE datname = ? AND pid <> pg_backend_pid()")) {
      p.setString(1, database);
      try (ResultSet r = p.executeQuery()) {
        r.next();
        return r.getInt(1);
      }
    }
  }
}
