package dev.floe.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.restassured.RestAssured;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A fresh embedded lake in a temp dir for each test run: real SQLite catalog, real warehouse, the
 * demo table seeded at start. The Python environments are the ones the build made under .floe/.
 */
public class TempLake implements QuarkusTestResourceLifecycleManager {
  private static Path home;

  /**
   * The test lake's admin key: written where Floe looks for it before Floe starts, so Floe adopts
   * it instead of making one, and sent by every RestAssured request of the tests.
   */
  public static final String ADMIN_KEY = adminKey();

  /**
   * One key for the whole test JVM: each Quarkus start loads this class again (another class
   * loader), while the requests of all of them go through one RestAssured, so the key lives in a
   * system property, not in a static of one loader.
   */
  private static String adminKey() {
    synchronized (System.class) {
      String key = System.getProperty("floetest.admin-key");
      if (key == null) {
        key = "floe_test-admin-" + java.util.UUID.randomUUID().toString().replace("-", "");
        System.setProperty("floetest.admin-key", key);
      }
      return key;
    }
  }

  /** Puts the tests' admin key where a Floe with this {@code floe.home} adopts it at start. */
  public static void writeAdminKey(Path floeHome) throws IOException {
    Path file = floeHome.resolve("admin.key");
    Files.writeString(file, ADMIN_KEY + "\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
  }

  /** {@code Authorization} with the admin key, for tests' own HTTP clients. */
  public static String adminAuthorization() {
    return "Bearer " + ADMIN_KEY;
  }

  /** The build's .floe directory (venvs); passed by surefire. */
  public static Path projectHome() {
    return Path.of(System.getProperty("floetest.project-home", ".floe")).toAbsolutePath();
  }

  /** This test run's floe.home. */
  public static Path home() {
    return home;
  }

  /** PyIceberg properties with write access to the test lake, for test fixtures only. */
  public static Map<String, String> writerEnv() {
    return Map.of(
        "FLOE_TEST_CATALOG_NAME",
        "lake",
        "FLOE_TEST_CATALOG_URI",
        "sqlite:///" + home.resolve("catalog/catalog.db"),
        "FLOE_TEST_WAREHOUSE",
        "file://" + home.resolve("warehouse"),
        "FLOE_API_KEY",
        ADMIN_KEY);
  }

  private static boolean sending;

  /** Every RestAssured request of the tests sends the admin key unless it sets its own. */
  private static synchronized void sendAdminKey() {
    if (sending) {
      return;
    }
    sending = true;
    RestAssured.filters(
        (request, response, context) -> {
          if (!request.getHeaders().hasHeaderWithName("Authorization")) {
            request.header("Authorization", adminAuthorization());
          }
          return context.next(request, response);
        });
  }

  @Override
  public Map<String, String> start() {
    try {
      home = Files.createTempDirectory("floe-test-");
      writeAdminKey(home);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    sendAdminKey();
    return Map.of(
        "floe.home", home.toString(),
        "floe.sandbox.python", projectHome().resolve("venv/bin/python").toString());
  }

  @Override
  public void stop() {
    if (home == null || Boolean.getBoolean("floetest.keep-lake")) {
      return;
    }
    try (Stream<Path> walk = Files.walk(home)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // A temp dir left behind is not a test failure.
    }
  }
}
