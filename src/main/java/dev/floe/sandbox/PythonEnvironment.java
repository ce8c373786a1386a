package dev.floe.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.zeroturnaround.exec.ProcessExecutor;

/**
 * The sandbox's Python interpreter and what it can import, probed once by running it.
 *
 * @param prefix the venv's directory; {@code basePrefix} the interpreter it was made from: both
 *     must be visible (read-only) inside a sandbox
 */
public record PythonEnvironment(
    Path python, boolean ready, String problem, String versions, Path prefix, Path basePrefix) {

  private static final String PROBE =
      "import json, sys, polars, pyiceberg, pyarrow\n"
          + "print(json.dumps({'versions': 'python %s, polars %s, pyiceberg %s, pyarrow %s' % ("
          + "sys.version.split()[0], polars.__version__, pyiceberg.__version__,"
          + " pyarrow.__version__), 'prefix': sys.prefix, 'base_prefix': sys.base_prefix}))\n";

  public static PythonEnvironment probe(Path python, ObjectMapper json) {
    if (!Files.isExecutable(python)) {
      return failed(
          python,
          "no Python environment at "
              + python
              + "; run the README's start command (it builds it) or set floe.sandbox.python");
    }
    try {
      var result =
          new ProcessExecutor()
              .command("env", "-i", "PATH=/usr/bin:/bin", python.toString(), "-I", "-c", PROBE)
              .readOutput(true)
              .timeout(120, TimeUnit.SECONDS)
              .execute();
      String out = result.outputUTF8().trim();
      if (result.getExitValue() != 0) {
        return failed(
            python,
            "the Python environment cannot import polars/pyiceberg/pyarrow: " + lastLine(out));
      }
      JsonNode info = json.readTree(lastLine(out));
      return new PythonEnvironment(
          python,
          true,
          null,
          info.get("versions").asText(),
          Path.of(info.get("prefix").asText()),
          Path.of(info.get("base_prefix").asText()));
    } catch (Exception e) {
      return failed(python, "probing " + python + " failed: " + e.getMessage());
    }
  }

  private static PythonEnvironment failed(Path python, String problem) {
    return new PythonEnvironment(python, false, problem, null, null, null);
  }

  private static String lastLine(String out) {
    String[] lines = out.split("\n");
    return lines[lines.length - 1];
  }
}
