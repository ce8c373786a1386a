package dev.floe.distributed;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.floe.config.DistributedConfig;
import dev.floe.config.DistributedConfig.Target;
import dev.floe.config.FloeConfig;
import dev.floe.error.ErrorCode;
import dev.floe.error.FloeException;
import dev.floe.error.StartupRefusal;
import dev.floe.sandbox.Fifo;
import dev.floe.sandbox.PythonRuntime;
import dev.floe.sandbox.RunFiles;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * Starts the trusted dispatcher for one distributed run: {@code env -i python -I -B
 * floe_dispatch_launch.py} in polars-cloud's environment, the job (with the engine's credentials,
 * read now from where the configuration points) on its stdin, progress as JSON lines on its stdout,
 * its stderr into the service log. It writes the result into a directory of its own that no sandbox
 * ever saw, so nothing a run left behind can redirect the write.
 */
@ApplicationScoped
public class Dispatcher {
  private static final Logger LOG = Logger.getLogger(Dispatcher.class);
  static final String LAUNCHER = "floe_dispatch_launch.py";
  static final int VERSION = 1;

  private final DistributedConfig config;
  private final Path home;
  private final PythonRuntime python;
  private final ObjectMapper json;

  public Dispatcher(
      DistributedConfig config, FloeConfig floe, PythonRuntime python, ObjectMapper json) {
    this.config = config;
    this.home = floe.homePath();
    this.python = python;
    this.json = json;
  }

  /** What to dispatch: the run's plan document and every table the run was granted. */
  public record Request(
      String runId,
      String mode,
      Placement placement,
      String plan,
      List<GrantedTable> tables,
      long maxResultBytes) {}

  /** A table the trusted side granted the run, at one snapshot, by its real metadata file. */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record GrantedTable(String identifier, String snapshotId, String metadataLocation) {}

  void start(@Observes StartupEvent event) {
    sweep(home);
    if (config.target() != Target.NONE && !Files.isExecutable(interpreter())) {
      throw new StartupRefusal(
          "floe.distributed.target="
              + Placements.targetName(config.target())
              + " needs the dispatcher's Python at "
              + interpreter()
              + " (the build makes it: sandbox-image/setup-venv.sh); build Floe, or set"
              + " floe.distributed.python.");
    }
  }

  /**
   * Removes what dispatches of an earlier start left behind (a crash mid-dispatch): no dispatch
   * outlives the service that started it, so at start-up every one there is stale.
   */
  static void sweep(Path home) {
    Path dispatches = home.resolve("dispatch");
    if (!Files.isDirectory(dispatches)) {
      return;
    }
    try (var stale = Files.list(dispatches)) {
      stale.forEach(RunFiles::deleteTree);
    } catch (IOException e) {
      LOG.warnf("Cannot sweep %s: %s", dispatches, e.getMessage());
    }
  }

  private Path interpreter() {
    return Path.of(config.python().orElse(home.resolve("distributed-venv/bin/python").toString()));
  }

  /** The largest plan a run may hand over, in bytes. */
  public long maxPlanBytes() {
    return config.maxPlanBytes();
  }

  /**
   * Starts the dispatch; {@code progress} hears each event (submitted, finished) as it comes.
   *
   * @param streamed the result goes through a named pipe (else a file)
   */
  public DispatchRun start(Request request, boolean streamed, Consumer<JsonNode> progress)
      throws IOException {
    String secret = config.target() == Target.CLOUD ? secret() : null;
    Path dir = home.resolve("dispatch").resolve(request.runId() + "-" + UUID.randomUUID());
    Path result = dir.resolve(streamed ? "result.pipe" : "result.arrows");
    try {
      Files.createDirectories(dir.resolve("home"));
      if (streamed) {
        Fifo.create(result, "600");
      }
    } catch (IOException e) {
      RunFiles.deleteTree(dir);
      throw e;
    }
    Path error = dir.resolve("error.json");
    byte[] job = json.writeValueAsBytes(job(request, secret, result, error));
    ProcessBuilder builder = new ProcessBuilder(command(dir)).directory(dir.toFile());
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      RunFiles.deleteTree(dir);
      throw new FloeException(
          ErrorCode.DISTRIBUTED_UNAVAILABLE,
          "Cannot start the distributed dispatcher ("
              + e.getMessage()
              + "); an operator checks floe.distributed.python and the build's distributed-venv.");
    }
    DispatchRun run = new DispatchRun(process, dir, result, error, config.timeout());
    PythonRuntime.logStderr(process, LOG, "dispatcher of run " + request.runId() + ", pid");
    Thread events =
        new Thread(() -> readEvents(process, run, progress), "floe-dispatch-" + request.runId());
    events.setDaemon(true);
    events.start();
    try (OutputStream in = process.getOutputStream()) {
      in.write(job);
    } catch (IOException e) {
      // The dispatcher died before reading its job; its exit says so.
      LOG.warnf("run %s: the dispatcher did not take its job: %s", request.runId(), e.getMessage());
    }
    return run;
  }

  private List<String> command(Path dir) {
    List<String> command = new ArrayList<>(List.of("env", "-i"));
    command.add("PATH=/usr/local/bin:/usr/bin:/bin");
    command.add("LANG=C.UTF-8");
    // The client may cache a token under HOME: one of this run's own, deleted with it.
    command.add("HOME=" + dir.resolve("home"));
    config.clientPath().ifPresent(p -> command.add("FLOE_DISPATCH_CLIENT_PATH=" + p));
    command.addAll(PythonRuntime.command(interpreter(), python.harnessDir(), LAUNCHER));
    return command;
  }

  private Map<String, Object> job(Request request, String secret, Path result, Path error) {
    Placement placement = request.placement();
    Map<String, Object> target =
        config.target() == Target.CLOUD
            ? nullable(
                "kind", "cloud",
                "workspace", config.workspace().orElseThrow(),
                "client_id", config.clientId().orElseThrow(),
                "client_secret", secret,
                "compute_name", config.computeName().orElse(null),
                "idle_timeout_mins", config.idleTimeoutMins())
            : nullable(
                "kind", "on-prem",
                "address", config.address().orElseThrow(),
                "domain_name", config.domainName().orElse(null));
    return nullable(
        "type", "dispatch",
        "version", VERSION,
        "run_id", request.runId(),
        "mode", request.mode(),
        "target", target,
        "compute",
            nullable(
                "instance_type", placement.instanceType(),
                "cluster_size", placement.clusterSize(),
                "cpus", placement.vcpus(),
                "memory_gb", null),
        "labels", List.of("floe"),
        "plan", request.plan(),
        "tables", request.tables(),
        "result_path", result.toString(),
        "error_path", error.toString(),
        "max_result_bytes", request.maxResultBytes());
  }

  /** A map that keeps null values (Map.of refuses them): alternating keys and values. */
  private static Map<String, Object> nullable(Object... pairs) {
    Map<String, Object> map = new java.util.LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      map.put((String) pairs[i], pairs[i + 1]);
    }
    return map;
  }

  private String secret() {
    String value = null;
    String where;
    if (config.clientSecretFile().isPresent()) {
      where =
          "the file " + config.clientSecretFile().get() + " (floe.distributed.client-secret-file)";
      try {
        value =
            Files.readAllLines(Path.of(config.clientSecretFile().get())).stream()
                .findFirst()
                .map(String::strip)
                .orElse(null);
      } catch (IOException | UncheckedIOException e) {
        LOG.errorf("Cannot read the Polars Cloud client secret from %s: %s", where, e.getMessage());
      }
    } else {
      String name = config.clientSecretEnv().orElseThrow();
      where = "the environment variable " + name + " (floe.distributed.client-secret-env)";
      value = System.getenv(name);
    }
    if (value == null || value.isBlank()) {
      throw new FloeException(
          ErrorCode.DISTRIBUTED_UNAVAILABLE,
          "Cannot run distributed: this server's Polars Cloud client secret is missing from "
              + where
              + "; an operator sets it, or remove distributed to run locally.");
    }
    return value;
  }

  private void readEvents(Process process, DispatchRun run, Consumer<JsonNode> progress) {
    try (BufferedReader out =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = out.readLine(); line != null; line = out.readLine()) {
        JsonNode event;
        try {
          event = json.readTree(line);
        } catch (IOException e) {
          LOG.warnf("dispatcher %d: not an event: %s", process.pid(), line);
          continue;
        }
        if ("submitted".equals(event.path("event").asText())) {
          run.submitted(event.path("query_id").asText(""));
        }
        progress.accept(event);
      }
    } catch (IOException e) {
      // The dispatcher is gone; its exit says how.
    }
  }
}
