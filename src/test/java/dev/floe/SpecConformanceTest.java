package dev.floe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.floe.testing.TempLake;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.zeroturnaround.exec.ProcessExecutor;

/**
 * The served spec and the service agree: schemathesis (pinned in requirements-dev.txt) fuzzes every
 * operation of /q/openapi against this test service and fails on any finding. Seeded and
 * deterministic (src/test/python/spec_conformance/schemathesis.toml), about a minute on 2 cores.
 */
@QuarkusTest
@QuarkusTestResource(TempLake.class)
class SpecConformanceTest {
  static final String DIR = "src/test/python/spec_conformance";
  static final List<String> CHECKS =
      List.of(
          "not_a_server_error",
          "status_code_conformance",
          "content_type_conformance",
          "response_schema_conformance",
          "negative_data_rejection",
          // floe_checks.py: the only 5xx are 503 DISTRIBUTED_UNAVAILABLE and 504 TIMEOUT, as
          // documented.
          "only_documented_unavailable_or_timeout");

  private static final Pattern SELECTED = Pattern.compile("Selected: (\\d+)/");
  private static final Pattern TESTED = Pattern.compile("Tested: (\\d+)");

  @TestHTTPResource("/q/openapi?format=json")
  URL spec;

  @Test
  void schemathesisFindsNothing() throws Exception {
    var result =
        new ProcessExecutor()
            .command(
                TempLake.projectHome().resolve("dev-venv/bin/st").toString(),
                "--config-file",
                Path.of(DIR, "schemathesis.toml").toAbsolutePath().toString(),
                "run",
                spec.toString(),
                "--checks",
                String.join(",", CHECKS),
                "--header",
                "Authorization: " + TempLake.adminAuthorization(),
                "--no-color")
            .environment(
                Map.of(
                    "SCHEMATHESIS_HOOKS",
                    Path.of(DIR, "floe_checks.py").toAbsolutePath().toString(),
                    "PYTHONDONTWRITEBYTECODE",
                    "1"))
            // Hypothesis keeps a cache in the working directory: under target/, not the tree.
            .directory(Path.of("target").toAbsolutePath().toFile())
            .readOutput(true)
            .redirectErrorStream(true)
            .timeout(10, TimeUnit.MINUTES)
            .execute();
    String out = result.outputUTF8();
    System.out.println(out);
    assertEquals(
        0, result.getExitValue(), "schemathesis found spec/service disagreements:\n" + out);
    Matcher selected = SELECTED.matcher(out);
    Matcher tested = TESTED.matcher(out);
    assertTrue(selected.find() && tested.find(), "no schemathesis summary in:\n" + out);
    assertEquals(selected.group(1), tested.group(1), "not every operation was tested:\n" + out);
  }
}
