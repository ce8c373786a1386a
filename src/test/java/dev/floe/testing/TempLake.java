package dev.floe.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A fresh embedded lake in a temp dir for each test run: real SQLite catalog, real warehouse, the
 * demo table seeded at start. The Python environments are the ones the build made under .floe/.
 */
public class TempLake implements QuarkusTestResourceLifecycleManager {
  private static Path home;

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
        "FLOE_TEST_CATALOG_NAME", "lake",
        "FLOE_TEST_CATALOG_URI", "sqlite:///" + home.resolve("catalog/catalog.db"),
        "FLOE_TEST_WAREHOUSE", "file://" + home.resolve("warehouse"));
  }

  @Override
  public Map<String, String> start() {
    try {
      home = Files.createTempDirectory("floe-test-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
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
