package dev.floe.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server for the tests: one per test JVM, started at the first call from the
 * machine's server binaries (initdb, pg_ctl) in a temp directory, listening on 127.0.0.1 only on a
 * free port, trusting local connections, and stopped (its directory deleted) when the JVM exits.
 * Each test (class) makes a database of its own on it with {@link #newDatabase}.
 *
 * <p>PostgreSQL refuses to run as root: when the tests run as root, the server runs as the {@code
 * postgres} user (which Debian's {@code postgresql} package creates), through {@code runuser}.
 * Without the binaries it fails, naming what to install: the run store's PostgreSQL tests are not
 * skipped. The binaries are looked for in {@code -Dfloetest.postgres-bin} or {@code
 * FLOE_TEST_POSTGRES_BIN}, then {@code /usr/lib/postgresql/<newest>/bin}, then the {@code PATH}.
 *
 * <p>As a Quarkus test resource (with {@code restrictToAnnotatedClass = true}) it points the
 * service's run store at a new database: {@code floe.runs.store-url}.
 */
public class TempPostgres implements QuarkusTestResourceLifecycleManager {
  /** The running server: where it listens and where its files are. */
  public record Server(int port, Path dir) {
    /** JDBC URL of {@code database} on this server, as the superuser (trusted: no password). */
    public String url(String database) {
      return "jdbc:postgresql://127.0.0.1:" + port + "/" + database + "?user=postgres";
    }

    /** A connection to the server's maintenance database, as the superuser. */
    public Connection admin() throws SQLException {
      return DriverManager.getConnection(url("postgres"));
    }
  }

  /*
   * Quarkus loads test resources again for each application it starts (another class loader), so
   * the one server of the JVM is found through system properties, not a static of one loader.
   */
  private static final String PORT = "floetest.postgres.port";

  static {
    // DriverManager hands a connection only to callers whose class loader sees the driver it
    // registered, and registers drivers found by ServiceLoader once per JVM, with whatever loader
    // was current then (a Quarkus application's, if a @QuarkusTest ran first): register the driver
    // of this loader, so the tests loaded with it can connect whatever ran before.
    try {
      Class.forName("org.postgresql.Driver");
    } catch (ClassNotFoundException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private static final String DIR = "floetest.postgres.dir";

  /** The server of this test JVM, started at the first call. */
  public static Server server() {
    synchronized (System.class) {
      String port = System.getProperty(PORT);
      if (port != null) {
        return new Server(Integer.parseInt(port), Path.of(System.getProperty(DIR)));
      }
      Server started = startServer();
      System.setProperty(PORT, Integer.toString(started.port()));
      System.setProperty(DIR, started.dir().toString());
      return started;
    }
  }

  /** A new, empty database (UTF8) on the server; returns its JDBC URL. */
  public static String newDatabase(String prefix) {
    Server server = server();
    String name = prefix + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    try (Connection c = server.admin();
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    } catch (SQLException e) {
      throw new IllegalStateException("Cannot create database " + name + " on " + server, e);
    }
    return server.url(name);
  }

  @Override
  public Map<String, String> start() {
    return Map.of("floe.runs.store-url", newDatabase("floe_service"));
  }

  @Override
  public void stop() {
    // The server lives as long as the JVM: the next test class starts no new one.
  }

  private static Server startServer() {
    Path bin = binaries();
    Path dir;
    try {
      dir = Files.createTempDirectory("floe-postgres-");
      own(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Path data = dir.resolve("data");
    Path log = dir.resolve("postgres.log");
    run(
        List.of(
            bin.resolve("initdb").toString(),
            "-D",
            data.toString(),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--no-locale",
            "--no-sync"),
        dir);
    String failure = null;
    for (int attempt = 0; attempt < 3; attempt++) {
      int port = freePort();
      // A throwaway server: no fsync, no durability, and no Unix socket (TCP on loopback only).
      String options =
          "-p "
              + port
              + " -c listen_addresses=127.0.0.1 -c unix_socket_directories=''"
              + " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
              + " -c max_connections=200";
      Result started =
          exec(
              List.of(
                  bin.resolve("pg_ctl").toString(),
                  "-D",
                  data.toString(),
                  "-l",
                  log.toString(),
                  "-o",
                  options,
                  "-w",
                  "-t",
                  "60",
                  "start"),
              dir);
      if (started.code() == 0) {
        Server server = new Server(port, dir);
        Runtime.getRuntime()
            .addShutdownHook(new Thread(() -> stop(bin, data, dir), "stop-temp-postgres"));
        return server;
      }
      failure = started.output() + "\n" + tail(log);
      exec(
          List.of(
              bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "immediate", "stop"),
          dir);
    }
    delete(dir);
    throw new IllegalStateException("The test PostgreSQL server did not start:\n" + failure);
  }

  private static void stop(Path bin, Path data, Path dir) {
    exec(
        List.of(
            bin.resolve("pg_ctl").toString(),
            "-D",
            data.toString(),
            "-m",
            "immediate",
            "-w",
            "stop"),
        dir);
    delete(dir);
  }

  /** The folder holding initdb and pg_ctl; fails, naming what to install, if there is none. */
  static Path binaries() {
    List<Path> candidates = new ArrayList<>();
    String configured = System.getProperty("floetest.postgres-bin");
    if (configured == null) {
      configured = System.getenv("FLOE_TEST_POSTGRES_BIN");
    }
    if (configured != null) {
      candidates.add(Path.of(configured));
    } else {
      Path debian = Path.of("/usr/lib/postgresql");
      if (Files.isDirectory(debian)) {
        try (Stream<Path> versions = Files.list(debian)) {
          versions
              .filter(v -> v.getFileName().toString().matches("\\d+"))
              .sorted(
                  Comparator.comparingInt((Path v) -> Integer.parseInt(v.getFileName().toString()))
                      .reversed())
              .forEach(v -> candidates.add(v.resolve("bin")));
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
      for (String entry : System.getenv().getOrDefault("PATH", "").split(":")) {
        if (!entry.isEmpty()) {
          candidates.add(Path.of(entry));
        }
      }
    }
    for (Path candidate : candidates) {
      if (Files.isExecutable(candidate.resolve("initdb"))
          && Files.isExecutable(candidate.resolve("pg_ctl"))) {
        return candidate;
      }
    }
    throw new IllegalStateException(
        "The run store's PostgreSQL tests need a PostgreSQL server's binaries (initdb, pg_ctl) and"
            + " found none in "
            + (configured != null ? configured : "/usr/lib/postgresql/*/bin or the PATH")
            + ". Install them (Debian/Ubuntu: apt-get install postgresql, as .ci/run does) or set"
            + " -Dfloetest.postgres-bin (or FLOE_TEST_POSTGRES_BIN) to the folder holding them.");
  }

  private static boolean root() {
    return "root".equals(System.getProperty("user.name"));
  }

  /** As root, the directory goes to the postgres user, who runs the server. */
  private static void own(Path dir) throws IOException {
    if (!root()) {
      return;
    }
    UserPrincipalLookupService users = dir.getFileSystem().getUserPrincipalLookupService();
    try {
      Files.setOwner(dir, users.lookupPrincipalByName("postgres"));
      GroupPrincipal group = users.lookupPrincipalByGroupName("postgres");
      Files.getFileAttributeView(dir, PosixFileAttributeView.class).setGroup(group);
    } catch (java.nio.file.attribute.UserPrincipalNotFoundException e) {
      throw new IllegalStateException(
          "The tests run as root, and PostgreSQL refuses to: it runs as the user postgres, and"
              + " there is none. Install PostgreSQL from the distribution (apt-get install"
              + " postgresql creates it) or add the user.",
          e);
    }
  }

  private record Result(int code, String output) {}

  /** Runs a PostgreSQL binary (as postgres when the tests are root); fails unless it exits 0. */
  private static void run(List<String> command, Path dir) {
    Result result = exec(command, dir);
    if (result.code() != 0) {
      throw new IllegalStateException(
          "The test PostgreSQL server could not be set up: "
              + String.join(" ", command)
              + " exited with "
              + result.code()
              + ":\n"
              + result.output());
    }
  }

  private static Result exec(List<String> command, Path dir) {
    List<String> full = new ArrayList<>();
    if (root()) {
      full.addAll(List.of("runuser", "-u", "postgres", "--"));
    }
    full.addAll(command);
    try {
      Process p =
          new ProcessBuilder(full)
              .directory(dir.toFile())
              .redirectErrorStream(true)
              .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
              .start();
      // pg_ctl start leaves the server's output in the log file, not this pipe: reading to the end
      // returns once pg_ctl exits.
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(90, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return new Result(-1, output + "\n(timed out)");
      }
      return new Result(p.exitValue(), output);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    } catch (IOException e) {
      return "(no server log)";
    }
  }

  private static void delete(Path dir) {
    if (Boolean.getBoolean("floetest.keep-postgres")) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // A temp dir left behind is not a test failure.
    }
  }
}
