package dev.floe.sandbox;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.floe.config.FloeConfig;
import dev.floe.config.SandboxConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.file.Path;
import java.util.List;

/**
 * The Python side of Floe on this host: the sandbox's interpreter (probed once) and the harness
 * unpacked from this build. Runners and the trusted writer both start from these.
 */
@ApplicationScoped
public class PythonRuntime {
  private final PythonEnvironment environment;
  private final Path harnessDir;

  @jakarta.inject.Inject
  public PythonRuntime(FloeConfig floe, SandboxConfig sandbox, ObjectMapper json) {
    Path home = floe.homePath();
    this.harnessDir = HarnessInstaller.install(home);
    this.environment =
        PythonEnvironment.probe(
            Path.of(sandbox.python().orElse(home.resolve("venv/bin/python").toString())), json);
  }

  PythonRuntime(PythonEnvironment environment, Path harnessDir) {
    this.environment = environment;
    this.harnessDir = harnessDir;
  }

  public PythonEnvironment environment() {
    return environment;
  }

  public Path interpreter() {
    return environment.python();
  }

  public Path harnessDir() {
    return harnessDir;
  }

  /** The command that starts the template or a runner: {@code floe_launch.py <args>}. */
  List<String> launch(String... args) {
    return command(interpreter(), harnessDir, "floe_launch.py", args);
  }

  /**
   * The command that runs one of Floe's Python entry points ({@code script} in the harness
   * directory): {@code python -I -B script <args>}, in isolated mode (no environment variables, no
   * user site, not the cwd on the path) and writing no bytecode.
   */
  public static List<String> command(Path python, Path harnessDir, String script, String... args) {
    List<String> command = new java.util.ArrayList<>();
    command.add(python.toString());
    command.add("-I");
    command.add("-B");
    command.add(harnessDir.resolve(script).toString());
    command.addAll(List.of(args));
    return command;
  }

  /**
   * Copies a trusted Python process's stderr, line by line, into the service log as {@code who
   * <pid>: line}, on a daemon thread, until the process closes it.
   */
  public static void logStderr(Process process, org.jboss.logging.Logger log, String who) {
    long pid = process.pid();
    Thread pump =
        new Thread(
            () -> {
              try (java.io.BufferedReader err =
                  new java.io.BufferedReader(
                      new java.io.InputStreamReader(
                          process.getErrorStream(), java.nio.charset.StandardCharsets.UTF_8))) {
                for (String line = err.readLine(); line != null; line = err.readLine()) {
                  log.infof("%s %d: %s", who, pid, line);
                }
              } catch (java.io.IOException e) {
                // The process is gone; so is its stderr.
              }
            },
            who.replace(' ', '-') + "-stderr-" + pid);
    pump.setDaemon(true);
    pump.start();
  }

  /**
   * What a sandbox must see (read-only) to run the harness: the interpreter, its venv, the harness.
   */
  List<Path> sandboxPaths() {
    return List.of(environment.basePrefix(), environment.prefix(), harnessDir);
  }
}
