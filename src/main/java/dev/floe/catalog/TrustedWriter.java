package dev.floe.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.floe.sandbox.PythonRuntime;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.zeroturnaround.exec.ProcessExecutor;

/**
 * Runs the trusted PyIceberg writer ({@code floe_trusted}): the only process that writes to the
 * catalog and the warehouse. It runs the service's own code, never the user's.
 */
@ApplicationScoped
public class TrustedWriter {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final PythonRuntime runners;

  public TrustedWriter(PythonRuntime runners) {
    this.runners = runners;
  }

  public JsonNode run(String command, Map<String, Object> job, Path workDir) throws IOException {
    if (!runners.environment().ready()) {
      throw new IOException(
          "the Python environment is not ready: " + runners.environment().problem());
    }
    Path jobFile = Files.createTempFile(workDir, "trusted-", ".json");
    try {
      JSON.writeValue(jobFile.toFile(), job);
      var result =
          new ProcessExecutor()
              .command(
                  "env",
                  "-i",
                  "PATH=/usr/local/bin:/usr/bin:/bin",
                  "LANG=C.UTF-8",
                  runners.interpreter().toString(),
                  "-I",
                  "-B",
                  runners.harnessDir().resolve("floe_trusted.py").toString(),
                  command,
                  jobFile.toString())
              .readOutput(true)
              .redirectErrorStream(false)
              .timeout(10, TimeUnit.MINUTES)
              .execute();
      String out = result.outputUTF8().trim();
      if (result.getExitValue() != 0) {
        throw new IOException("the trusted writer failed (" + command + "): " + out);
      }
      String[] lines = out.split("\n");
      return JSON.readTree(lines[lines.length - 1]);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IOException("the trusted writer timed out (" + command + ")", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    } finally {
      Files.deleteIfExists(jobFile);
    }
  }
}
