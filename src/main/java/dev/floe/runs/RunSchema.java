package dev.floe.runs;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Locale;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.jboss.logging.Logger;

/**
 * The run store's tables, as versioned migrations under {@code db/runs/<dialect>/}: one folder per
 * database, {@code sqlite} and {@code postgresql}, with the same versions (V1..V5, one per schema
 * change, same names), so a store's history lines up whichever database holds it; each folder
 * writes its database's types.
 *
 * <p>Flyway's core library, driven with the store's JDBC URL, rather than the quarkus-flyway
 * extension: the embedded store is SQLite, for which Quarkus has no datasource extension, and the
 * store's URL (hence its database) is chosen at run time ({@code floe.runs.store-url}), while a
 * Quarkus datasource's kind is fixed at build time. On PostgreSQL Flyway holds an advisory lock
 * while it migrates, so Floes starting together on one store migrate it once.
 */
final class RunSchema {
  private static final Logger LOG = Logger.getLogger(RunSchema.class);
  static final String HISTORY_TABLE = "floe_runs_schema_history";

  /** The schema that run stores had before they had migrations (V1). */
  private static final String UNVERSIONED = "1";

  private RunSchema() {}

  /** The migrations folder for a JDBC URL's database: sqlite or postgresql. */
  static String dialect(String jdbcUrl) {
    String url = jdbcUrl == null ? "" : jdbcUrl.toLowerCase(Locale.ROOT);
    if (url.startsWith("jdbc:sqlite:")) {
      return "sqlite";
    }
    if (url.startsWith("jdbc:postgresql:")) {
      return "postgresql";
    }
    throw new IllegalStateException(
        "the run store is SQLite (jdbc:sqlite:<file>) or PostgreSQL"
            + " (jdbc:postgresql://<host>[:<port>]/<database>); set floe.runs.store-url to one of"
            + " them, or leave it unset for SQLite under floe.home.");
  }

  /** Brings the database at {@code jdbcUrl} to the newest schema version. */
  static MigrateResult migrate(String jdbcUrl) throws SQLException {
    return migrate(new RunDatabase.Location(jdbcUrl));
  }

  /** Brings the database at {@code store} to the newest schema version. */
  static MigrateResult migrate(RunDatabase.Location store) throws SQLException {
    Flyway flyway =
        Flyway.configure(RunSchema.class.getClassLoader())
            .dataSource(store.url(), store.user(), store.password())
            .locations("classpath:db/runs/" + store.dialect())
            .table(HISTORY_TABLE)
            .baselineVersion(UNVERSIONED)
            .baselineDescription("run store created before migrations")
            .load();
    if (unversioned(store)) {
      // Its tables are V1 exactly (created by the store's constructor until migrations came).
      LOG.infof("Run store %s predates schema versions; marking it as version 1", store.redacted());
      flyway.baseline();
    }
    MigrateResult result = flyway.migrate();
    if (result.migrationsExecuted > 0) {
      LOG.infof(
          "Run store %s migrated to schema version %s",
          store.redacted(), result.targetSchemaVersion);
    }
    return result;
  }

  /**
   * It holds the run tables but no schema history: created by a Floe without migrations (only
   * SQLite stores were). Looked for in the connection's own schema only: another schema of the same
   * PostgreSQL database may hold another Floe's store.
   */
  private static boolean unversioned(RunDatabase.Location store) throws SQLException {
    try (Connection c = store.connect()) {
      String schema = c.getSchema();
      if (schema == null && store.dialect().equals("postgresql")) {
        return false; // its schema does not exist yet: Flyway creates it
      }
      return hasTable(c, schema, "floe_runs") && !hasTable(c, schema, HISTORY_TABLE);
    }
  }

  private static boolean hasTable(Connection c, String schema, String name) throws SQLException {
    try (ResultSet tables = c.getMetaData().getTables(null, schema, name, null)) {
      return tables.next();
    }
  }
}
