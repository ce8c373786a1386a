package dev.floe.runs;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Locale;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.jboss.logging.Logger;

/**
 * The run store's tables, as versioned migrations under {@code db/runs/<dialect>/}: one folder per
 * database (only {@code sqlite} today; a {@code postgresql} folder goes beside it).
 *
 * <p>Flyway's core library, driven with the store's JDBC URL, rather than the quarkus-flyway
 * extension: the embedded store is SQLite, for which Quarkus has no datasource extension, and the
 * store's URL is chosen at run time ({@code floe.runs.store-url}).
 */
final class RunSchema {
  private static final Logger LOG = Logger.getLogger(RunSchema.class);
  static final String HISTORY_TABLE = "floe_runs_schema_history";

  /** The schema that run stores had before they had migrations (V1). */
  private static final String UNVERSIONED = "1";

  private RunSchema() {}

  /** The migrations folder for a JDBC URL's database. */
  static String dialect(String jdbcUrl) {
    String url = jdbcUrl.toLowerCase(Locale.ROOT);
    if (url.startsWith("jdbc:sqlite:")) {
      return "sqlite";
    }
    throw new IllegalStateException(
        "Cannot open the run store at "
            + jdbcUrl
            + ": only SQLite (jdbc:sqlite:<file>) is supported; set floe.runs.store-url to a"
            + " SQLite file or leave it unset.");
  }

  /** Brings the database at {@code jdbcUrl} to the newest schema version. */
  static MigrateResult migrate(String jdbcUrl) {
    Flyway flyway =
        Flyway.configure(RunSchema.class.getClassLoader())
            .dataSource(jdbcUrl, null, null)
            .locations("classpath:db/runs/" + dialect(jdbcUrl))
            .table(HISTORY_TABLE)
            .baselineVersion(UNVERSIONED)
            .baselineDescription("run store created before migrations")
            .load();
    if (unversioned(jdbcUrl)) {
      // Its tables are V1 exactly (created by the store's constructor until migrations came).
      LOG.infof("Run store %s predates schema versions; marking it as version 1", jdbcUrl);
      flyway.baseline();
    }
    MigrateResult result = flyway.migrate();
    if (result.migrationsExecuted > 0) {
      LOG.infof("Run store %s migrated to schema version %s", jdbcUrl, result.targetSchemaVersion);
    }
    return result;
  }

  /** It holds the run tables but no schema history: created by a Floe without migrations. */
  private static boolean unversioned(String jdbcUrl) {
    try (Connection c = DriverManager.getConnection(jdbcUrl)) {
      return hasTable(c, "floe_runs") && !hasTable(c, HISTORY_TABLE);
    } catch (SQLException e) {
      throw new IllegalStateException("Cannot open the run store at " + jdbcUrl, e);
    }
  }

  private static boolean hasTable(Connection c, String name) throws SQLException {
    try (ResultSet tables = c.getMetaData().getTables(null, null, name, null)) {
      return tables.next();
    }
  }
}
