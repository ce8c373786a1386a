package dev.floe.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Polars Cloud for tests: the stand-in {@code polars_cloud} package ({@code
 * src/main/python/tests/standins/}, checked against the real client's signatures) copied into a
 * directory the dispatcher puts first on its import path, and a service-account secret that is a
 * canary: a test hunts for it from inside runs. The dispatcher is the production one, started by
 * the service as always; only the client it imports is the stand-in.
 */
public class PolarsCloudStandIn implements QuarkusTestResourceLifecycleManager {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path PACKAGE = Path.of("src/main/python/tests/standins/polars_cloud");
  public static final String WORKSPACE = "floe-test-workspace";
  public static final String CLIENT_ID = "floe-test-service-account";

  /** One canary per test JVM, in a system property (each Quarkus start has its own loader). */
  public static final String CANARY = canary();

  /** The On-Prem scheduler the stand-in pretends to be (initArg target=on-prem). */
  public static final String ON_PREM_ADDRESS = "https://polars-onprem.test:5051";

  private static Path dir;

  private boolean onPrem;
  private String computeName;

  @Override
  public void init(Map<String, String> initArgs) {
    onPrem = "on-prem".equals(initArgs.get("target"));
    computeName = initArgs.get("compute-name");
  }

  private static String canary() {
    synchronized (System.class) {
      String value = System.getProperty("floetest.canary");
      if (value == null) {
        // The prefix the hostile fixtures search for (_secret_hits.py).
        value = "FLOECANARY-polars-cloud-" + UUID.randomUUID().toString().replace("-", "");
        System.setProperty("floetest.canary", value);
      }
      return value;
    }
  }

  @Override
  public Map<String, String> start() {
    try {
      dir = Files.createTempDirectory("floe-polars-cloud-");
      copy(PACKAGE, dir.resolve("polars_cloud"));
      Path secret = Files.createTempDirectory("floe-secret-").resolve("client-secret");
      Files.writeString(secret, CANARY + "\n");
      Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
      System.setProperty("floetest.standin-dir", dir.toString());
      System.setProperty("floetest.secret-file", secret.toString());
      String python = TempLake.projectHome().resolve("distributed-venv/bin/python").toString();
      if (onPrem) {
        return Map.of(
            "floe.distributed.target",
            "on-prem",
            "floe.distributed.address",
            ON_PREM_ADDRESS,
            "floe.distributed.client-path",
            dir.toString(),
            "floe.distributed.python",
            python,
            "floe.distributed.max-cluster-size",
            "4");
      }
      Map<String, String> cloud =
          new java.util.HashMap<>(
              Map.ofEntries(
                  Map.entry("floe.distributed.target", "cloud"),
                  Map.entry("floe.distributed.workspace", WORKSPACE),
                  Map.entry("floe.distributed.client-id", CLIENT_ID),
                  Map.entry("floe.distributed.client-secret-file", secret.toString()),
                  Map.entry("floe.distributed.client-path", dir.toString()),
                  Map.entry("floe.distributed.python", python),
                  Map.entry("floe.distributed.instance-type", "t4g.medium"),
                  Map.entry("floe.distributed.allowed-instance-types", "t4g.medium,t4g.large"),
                  Map.entry("floe.distributed.max-cluster-size", "4"),
                  Map.entry("floe.distributed.auto-threshold-bytes", "1000")));
      if (computeName != null) {
        cloud.put("floe.distributed.compute-name", computeName);
      }
      return cloud;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void stop() {}

  private static Path dir() {
    return Path.of(System.getProperty("floetest.standin-dir"));
  }

  /** The secret's file, which runs must not be able to read. */
  public static Path secretFile() {
    return Path.of(System.getProperty("floetest.secret-file"));
  }

  /** Every call the stand-in was given so far, in order. */
  public static List<JsonNode> calls() {
    Path file = dir().resolve("calls.jsonl");
    List<JsonNode> calls = new ArrayList<>();
    if (!Files.exists(file)) {
      return calls;
    }
    try (Stream<String> lines = Files.lines(file)) {
      for (String line : lines.toList()) {
        calls.add(JSON.readTree(line));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return calls;
  }

  /** The calls named {@code call} (e.g. {@code ExecuteRemote.execute}). */
  public static List<JsonNode> calls(String call) {
    return calls().stream().filter(c -> call.equals(c.path("call").asText())).toList();
  }

  /** How the stand-in's queries behave from now on: {@code delay_seconds}, {@code fail}. */
  public static void behave(Map<String, Object> knobs) {
    try {
      Files.writeString(dir().resolve("behaviour.json"), JSON.writeValueAsString(knobs));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Queries run at once and succeed. */
  public static void behaveNormally() {
    try {
      Files.deleteIfExists(dir().resolve("behaviour.json"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static String sha256(String value) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256")
                  .digest(value.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void copy(Path from, Path to) throws IOException {
    try (Stream<Path> walk = Files.walk(from)) {
      for (Path p : walk.toList()) {
        if (p.toString().contains("__pycache__")) {
          continue;
        }
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }
}
