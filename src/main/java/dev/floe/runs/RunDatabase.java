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
import java.util.Properties;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * The run store's database, migrated to the newest schema when opened: a SQLite file (the default)
 * or a PostgreSQL database, chosen by the JDBC URL.
 *
 * <p>One connection, serialized: a run store sees a few writes per run, never a hot path, and one
 * connection makes every transaction of this process see the ones before it, on either database.
 * (Several replicas on one PostgreSQL store will need more than this; callers only see {@link
 * #transaction}.) A PostgreSQL connection that broke (the server restarted, a proxy dropped an idle
 * connection) is replaced: a transaction that failed on a broken connection before its commit is
 * run once more on a new one, since the server rolled it back; one that broke during its commit is
 * not (it may have landed), and fails.
 *
 * <p>Text never reaches the database with a NUL character (PostgreSQL's {@code text} cannot hold
 * one): every string bound to a statement has its NULs replaced by U+FFFD, on both databases, so a
 * request path or a token claim that carries one is stored, and looked up, the same way anywhere.
 */
public final class RunDatabase implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(RunDatabase.class);

  /** How long a PostgreSQL connection may take to open, and a statement to answer, by default. */
  private static final String CONNECT_TIMEOUT_SECONDS = "10";

  private static final String SOCKET_TIMEOUT_SECONDS = "60";

  private final Location location;
  private Connection db;

  /**
   * Where the run store is: its JDBC URL, and a user and password for a server that needs them
   * (null when the URL holds them, or for SQLite).
   */
  public record Location(String url, String user, String password) {
    public Location(String url) {
      this(url, null, null);
    }

    /** sqlite or postgresql: the folder of its migrations. */
    String dialect() {
      return RunSchema.dialect(url);
    }

    /** The URL as logs and errors may show it: any password in it replaced by ***. */
    public String redacted() {
      return redact(url);
    }

    /** A new connection, configured for the store. */
    Connection connect() throws SQLException {
      Properties properties = new Properties();
      if (dialect().equals("postgresql")) {
        // Defaults only: a parameter of the same name in the URL wins.
        properties.setProperty("connectTimeout", CONNECT_TIMEOUT_SECONDS);
        properties.setProperty("socketTimeout", SOCKET_TIMEOUT_SECONDS);
        properties.setProperty("tcpKeepAlive", "true");
        properties.setProperty("ApplicationName", "floe-run-store");
      }
      if (user != null) {
        properties.setProperty("user", user);
      }
      if (password != null) {
        properties.setProperty("password", password);
      }
      Connection c = DriverManager.getConnection(url, properties);
      try (Statement s = c.createStatement()) {
        if (dialect().equals("sqlite")) {
          s.execute("PRAGMA journal_mode=WAL");
          s.execute("PRAGMA busy_timeout=5000");
        } else {
          try (ResultSet r = s.executeQuery("SHOW server_encoding")) {
            String encoding = r.next() ? r.getString(1) : null;
            if (!"UTF8".equalsIgnoreCase(encoding)) {
              throw new SQLException(
                  "the database's encoding is "
                      + encoding
                      + "; the run store needs UTF8 (CREATE DATABASE ... ENCODING 'UTF8')");
            }
          }
        }
      } catch (SQLException e) {
        c.close();
        throw e;
      }
      return c;
    }

    @Override
    public String toString() {
      return "Location[" + redacted() + (user == null ? "" : ", user=" + user) + "]";
    }
  }

  private static final Pattern PASSWORD = Pattern.compile("(?i)(password=)[^&;]*");

  static String redact(String url) {
    return url == null ? null : PASSWORD.matcher(url).replaceAll("$1***");
  }

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

  private RunDatabase(Location location, Connection db) {
    this.location = location;
    this.db = db;
  }

  /** Opens (creating it if need be) and migrates the database at {@code jdbcUrl}. */
  public static RunDatabase open(String jdbcUrl) {
    return open(new Location(jdbcUrl));
  }

  /** Opens (creating a SQLite file if need be) and migrates the database at {@code location}. */
  public static RunDatabase open(Location location) {
    try {
      String driver =
          switch (location.dialect()) {
            case "sqlite" -> "org.sqlite.JDBC";
            default -> "org.postgresql.Driver";
          };
      // Registered through this class's loader: DriverManager alone does not find the driver from
      // Quarkus' class loaders.
      Class.forName(driver, true, RunDatabase.class.getClassLoader());
      if (location.dialect().equals("sqlite")) {
        Path file = Path.of(location.url().substring("jdbc:sqlite:".length()));
        Files.createDirectories(file.toAbsolutePath().getParent());
      }
      RunSchema.migrate(location);
      return new RunDatabase(location, location.connect());
    } catch (SQLException | ClassNotFoundException | IOException | RuntimeException e) {
      throw new IllegalStateException(
          "Cannot open the run store at " + location.redacted() + ": " + redact(e.getMessage()), e);
    }
  }

  /**
   * Runs {@code work} in one transaction: all of it is committed, or none of it. {@code work} may
   * run twice when the connection broke under its first attempt, so it should do nothing but
   * database work that it would redo the same way.
   */
  public synchronized <T> T transaction(String what, Work<T> work) {
    for (int attempt = 1; ; attempt++) {
      Connection c;
      try {
        c = connection();
      } catch (SQLException e) {
        throw failed(what, e);
      }
      T result;
      try {
        c.setAutoCommit(false);
        result = work.on(NulFreeText.of(c));
      } catch (SQLException | RuntimeException e) {
        boolean usable = rollBack(c, e);
        if (!usable && attempt == 1 && e instanceof SQLException) {
          LOG.warnf(
              "The run store's connection to %s broke (%s); reconnecting, to %s once more",
              location.redacted(), e.getMessage(), what);
          continue;
        }
        if (e instanceof SQLException s) {
          throw failed(what, s);
        }
        throw (RuntimeException) e;
      }
      try {
        c.commit();
        c.setAutoCommit(true);
        return result;
      } catch (SQLException e) {
        // Not run again: a commit cut off by a broken connection may have landed.
        rollBack(c, e);
        throw failed(what, e);
      }
    }
  }

  /** sqlite or postgresql. */
  String dialect() {
    return location.dialect();
  }

  /**
   * The failure of a transaction that inserted a row whose key another transaction inserted first
   * (two replicas claiming one Idempotency-Key at once, say).
   */
  public static boolean duplicateKey(RuntimeException failure) {
    if (!(failure.getCause() instanceof SQLException e)) {
      return false;
    }
    String message = String.valueOf(e.getMessage());
    return "23505".equals(e.getSQLState()) || message.contains("SQLITE_CONSTRAINT");
  }

  /** The connection, a new one if there is none (it broke, or a reconnect failed before). */
  private Connection connection() throws SQLException {
    if (db == null) {
      db = location.connect();
      LOG.infof("The run store reconnected to %s", location.redacted());
    }
    return db;
  }

  /**
   * Rolls back after {@code failure}; false if the connection is broken (it is then dropped, to be
   * opened again by the next transaction).
   */
  private boolean rollBack(Connection c, Exception failure) {
    boolean usable;
    try {
      c.rollback();
      c.setAutoCommit(true);
      usable = !c.isClosed() && (!connectionLost(failure) || c.isValid(2));
    } catch (SQLException e) {
      usable = false; // a connection that cannot roll back is not one to keep
    }
    if (!usable) {
      drop(c);
    }
    return usable;
  }

  /** SQL states of a lost connection: 08 (connection exception), 57P0x (the server shut down). */
  private static boolean connectionLost(Exception e) {
    String state = e instanceof SQLException s ? s.getSQLState() : null;
    return state != null && (state.startsWith("08") || state.startsWith("57P0"));
  }

  private void drop(Connection c) {
    try {
      c.close();
    } catch (SQLException e) {
      // it is broken already
    }
    if (db == c) {
      db = null;
    }
  }

  private IllegalStateException failed(String what, SQLException e) {
    return new IllegalStateException(
        "Cannot " + what + " in the run store at " + location.redacted() + ": " + e.getMessage(),
        e);
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
    if (db != null) {
      drop(db);
    }
  }
}
