package dev.floe.runs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The run store's database, migrated to the newest schema when opened. One connection, serialized:
 * a run store sees a few writes per run, never a hot path. (A shared PostgreSQL store will hand out
 * pooled connections here instead; callers only see {@link #transaction}.)
 */
public final class RunDatabase implements AutoCloseable {
  private final String url;
  private final Connection db;

  /** Work on the database that may fail with an {@link SQLException}. */
  @FunctionalInterface
  public interface Work<T> {
    T on(Connection db) throws SQLException;
  }

  /** Reads one row of a query's result (the cursor is on it) into a value. */
  @FunctionalInterface
  public interface Row<T> {
    T read(ResultSet r) throws SQLException;
  }

  private RunDatabase(String url, Connection db) {
    this.url = url;
    this.db = db;
  }

  /** Opens (creating it if need be) and migrates the database at {@code jdbcUrl}. */
  public static RunDatabase open(String jdbcUrl) {
    try {
      if (RunSchema.dialect(jdbcUrl).equals("sqlite")) {
        Class.forName("org.sqlite.JDBC", true, RunDatabase.class.getClassLoader());
        Path file = Path.of(jdbcUrl.substring("jdbc:sqlite:".length()));
        Files.createDirectories(file.toAbsolutePath().getParent());
      }
      RunSchema.migrate(jdbcUrl);
      Connection db = DriverManager.getConnection(jdbcUrl);
      try (Statement s = db.createStatement()) {
        s.execute("PRAGMA journal_mode=WAL");
        s.execute("PRAGMA busy_timeout=5000");
      }
      return new RunDatabase(jdbcUrl, db);
    } catch (SQLException | ClassNotFoundException | IOException e) {
      throw new IllegalStateException("Cannot open the run store at " + jdbcUrl, e);
    }
  }

  /** Runs {@code work} in one transaction: all of it is committed, or none of it. */
  public synchronized <T> T transaction(String what, Work<T> work) {
    try {
      db.setAutoCommit(false);
      try {
        T result = work.on(db);
        db.commit();
        return result;
      } catch (SQLException | RuntimeException e) {
        db.rollback();
        throw e;
      } finally {
        db.setAutoCommit(true);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("Cannot " + what + " in the run store at " + url, e);
    }
  }

  /** Every row {@code sql} (a query without parameters) selects, each read by {@code row}. */
  public <T> List<T> rows(String what, String sql, Row<T> row) {
    return transaction(
        what,
        db -> {
          List<T> rows = new ArrayList<>();
          try (PreparedStatement p = db.prepareStatement(sql);
              ResultSet r = p.executeQuery()) {
            while (r.next()) {
              rows.add(row.read(r));
            }
          }
          return rows;
        });
  }

  @Override
  public synchronized void close() {
    try {
      db.close();
    } catch (SQLException e) {
      // closing at shutdown; nothing left to do
    }
  }
}
