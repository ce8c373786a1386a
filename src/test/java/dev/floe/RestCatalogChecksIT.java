package dev.floe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.floe.sandbox.RunFiles;
import dev.floe.testing.RestLake;
import dev.floe.testing.ServiceProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The contract checks a client of the hosted service runs ({@code core.py}, {@code save.py}, {@code
 * results.py}, kept beside this repository in {@code ../shared/checks}, or at {@code
 * -Dfloetest.shared-checks}) against the packaged service whose default catalog is an Iceberg REST
 * catalog with its warehouse on S3 (moto). They live outside this repository: where they are not
 * present, these cases are skipped, saying so.
 */
class RestCatalogChecksIT {
  private static final Path CHECKS =
      Path.of(System.getProperty("floetest.shared-checks", "../shared/checks")).toAbsolutePath();

  private static RestLake lake;
  private static ServiceProcess floe;
  private static Path home;

  @BeforeAll
  static void start() throws Exception {
    assumeTrue(
        Files.isRegularFile(CHECKS.resolve("core.py")),
        "the shared contract checks are not at " + CHECKS + " (-Dfloetest.shared-checks)");
    lake = new RestLake();
    List<String> settings = new ArrayList<>();
    for (Map.Entry<String, String> setting : lake.start().entrySet()) {
      settings.add("-D" + setting.getKey() + "=" + setting.getValue());
    }
    settings.add("-Dfloe.default-catalog=" + RestLake.CATALOG);
    // save.py saves into namespaces of its own, as the hosted service lets it: on a catalog other
    // than the embedded one, Floe creates namespaces only where the operator allows it.
    settings.add("-Dfloe.save.create-namespaces=true");
    home = Files.createTempDirectory("floe-rest-checks-");
    floe = new ServiceProcess(home, "-Xmx512m", settings).start();
  }

  @AfterAll
  static void stop() throws Exception {
    if (floe != null) {
      floe.stop();
    }
    if (lake != null) {
      lake.stop();
    }
    if (home != null) {
      RunFiles.deleteTree(home);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"core.py", "save.py", "results.py"})
  void theContractChecksPassOnTheRestCatalog(String check) throws Exception {
    ProcessBuilder run =
        new ProcessBuilder(ServiceProcess.devPython().toString(), CHECKS.resolve(check).toString())
            .redirectErrorStream(true);
    run.environment().put("FLOE_URL", floe.url());
    run.environment().put("FLOE_API_KEY", Files.readString(floe.adminKey()).strip());
    Process p = run.start();
    String out = new String(p.getInputStream().readAllBytes());
    int exit = p.waitFor();
    System.out.println(out.lines().reduce((a, b) -> b).orElse(""));
    assertEquals(0, exit, check + " against Floe on the REST catalog:\n" + out);
  }
}
