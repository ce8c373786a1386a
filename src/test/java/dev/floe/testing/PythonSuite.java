package dev.floe.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.zeroturnaround.exec.ProcessExecutor;

/**
 * Runs a pytest suite of client-side tests (DuckDB oracle, the hosted SDK, …) against the Floe that
 * the enclosing {@code @QuarkusTest} started, and fails with pytest's own report.
 */
public final class PythonSuite {
  private static final Pattern SUMMARY = Pattern.compile("(\\d+) passed");

  private PythonSuite() {}

  /** Runs {@code src/test/python/<suite>} and asserts it passed at least {@code minTests} tests. */
  public static void run(String suite, URL floeUrl, int minTests) throws Exception {
    run(suite, floeUrl, minTests, Map.of());
  }

  /** As {@link #run(String, URL, int)}, with {@code lake} replacing the test lake's variables. */
  public static void run(String suite, URL floeUrl, int minTests, Map<String, String> lake)
      throws Exception {
    Map<String, String> env = new HashMap<>(TempLake.writerEnv());
    env.putAll(lake);
    String base = floeUrl.toString().replaceAll("/+$", "");
    env.put("FLOE_URL", base);
    env.put("PYTHONDONTWRITEBYTECODE", "1");
    List<String> cmd =
        new ArrayList<>(
            List.of(
                TempLake.projectHome().resolve("dev-venv/bin/python").toString(),
                "-m",
                "pytest",
                "-q",
                "-p",
                "no:cacheprovider",
                Path.of("src/test/python", suite).toString()));
    var result =
        new ProcessExecutor()
            .command(cmd)
            .environment(env)
            .readOutput(true)
            .redirectErrorStream(true)
            .timeout(20, TimeUnit.MINUTES)
            .execute();
    String out = result.outputUTF8();
    System.out.println(out);
    assertEquals(0, result.getExitValue(), "pytest " + suite + " failed:\n" + out);
    Matcher m = SUMMARY.matcher(out);
    assertTrue(m.find(), "no pytest summary in:\n" + out);
    assertTrue(
        Integer.parseInt(m.group(1)) >= minTests,
        "expected at least " + minTests + " tests in " + suite + ":\n" + out);
  }
}
