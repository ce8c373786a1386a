package dev.floe.sandbox;

import dev.floe.config.FloeConfig;
import dev.floe.config.LimitsConfig;
import dev.floe.config.SandboxConfig;
import dev.floe.error.ErrorCode;
import dev.floe.error.FloeException;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Chooses the runner at start-up and fails closed: when isolation cannot be set up, there is no
 * runner and every run is refused with SANDBOX_UNAVAILABLE. The unisolated runner exists only when
 * configured explicitly, and says so loudly.
 */
@Startup
@ApplicationScoped
public class RunnerProvider {
  private static final Logger LOG = Logger.getLogger(RunnerProvider.class);

  private final Path home;
  private final PythonEnvironment python;
  private final Path harnessDir;
  private final Runner runner;
  private final String problem;
  private final String limits;
  private final Optional<RunCgroups> cgroups;

  public RunnerProvider(FloeConfig floe, SandboxConfig sandbox, LimitsConfig limits) {
    this.home = floe.homePath();
    this.harnessDir = HarnessInstaller.install(home);
    this.python =
        PythonEnvironment.probe(
            Path.of(sandbox.python().orElse(home.resolve("venv/bin/python").toString())));
    HarnessCommand command =
        new HarnessCommand(
            python.python(), harnessDir, (long) sandbox.maxResultFileMb() * 1024 * 1024);
    Runner chosen = null;
    String why = null;
    String memoryLimit = "rlimits only";
    Optional<RunCgroups> runCgroups = Optional.empty();
    if (!python.ready()) {
      why = python.problem();
    } else {
      switch (sandbox.runner()) {
        case UNSAFE_PROCESS -> {
          chosen = new UnsafeProcessRunner(command);
          LOG.warn(
              "\n*** floe.sandbox.runner=unsafe-process: user code runs WITHOUT ISOLATION, as the"
                  + " service's own user. For development only; never expose this service. ***");
        }
        case KUBERNETES ->
            why =
                "floe.sandbox.runner=kubernetes (a pod per run) is not part of this build yet; use"
                    + " auto or bwrap";
        case BWRAP, AUTO -> {
          runCgroups = RunCgroups.detect();
          memoryLimit = runCgroups.map(RunCgroups::describe).orElse("rlimits only");
          BwrapRunner bwrap =
              new BwrapRunner(
                  command,
                  python,
                  sandbox.uid(),
                  sandbox.gid(),
                  sandbox.scratchMb(),
                  writeSeccompFilter(home),
                  runCgroups,
                  sandbox.maxPids());
          why = probe(bwrap);
          chosen = why == null ? bwrap : null;
        }
      }
    }
    this.runner = chosen;
    this.problem = why;
    this.limits = memoryLimit;
    this.cgroups = runCgroups;
    if (runner != null) {
      LOG.infof("runner: %s (%s)", runner.name(), python.versions());
    } else {
      LOG.errorf("no runner: every run will be refused with SANDBOX_UNAVAILABLE: %s", problem);
    }
  }

  /** The runner, or SANDBOX_UNAVAILABLE saying why there is none. */
  public Runner require() {
    if (runner == null) {
      throw new FloeException(
          ErrorCode.SANDBOX_UNAVAILABLE,
          "Cannot run workloads: the sandbox is unavailable on this server (" + problem + ").");
    }
    return runner;
  }

  public Runner runner() {
    return runner;
  }

  public String problem() {
    return problem;
  }

  /** No run outlives the service. */
  @jakarta.annotation.PreDestroy
  void killRunsAtShutdown() {
    cgroups.ifPresent(RunCgroups::killAllRuns);
  }

  /** How runs are limited: cgroups (which) or rlimits only. */
  public String limits() {
    return limits;
  }

  public PythonEnvironment python() {
    return python;
  }

  public Path harnessDir() {
    return harnessDir;
  }

  /** Starts one trivial isolated run; any failure means the runner cannot isolate here. */
  private String probe(BwrapRunner bwrap) {
    if (!onPath("bwrap")) {
      return "bubblewrap is not installed; install it (apt-get install bubblewrap) or, for"
          + " development only, set floe.sandbox.runner=unsafe-process";
    }
    try {
      Path dir = Files.createTempDirectory(home, "probe-");
      Path job = Files.writeString(dir.resolve("job.json"), "{}");
      RunSpec spec =
          new RunSpec(
              "probe", dir, job, Duration.ofSeconds(60), 1024, 1, List.of(), new BoundedLog(8192));
      bwrap.prepareOutputs(spec);
      List<String> cmd =
          bwrap.command(spec, List.of(python.python().toString(), "-I", "-c", "import polars"));
      ProcessResult result =
          ProcessSupervisor.start("probe", cmd, dir, spec.timeout(), spec.log()).await();
      RunFiles.deleteTree(dir);
      if (result.exitCode() != 0) {
        return "bubblewrap could not start an isolated run here (exit "
            + result.exitCode()
            + ": "
            + result.logs().strip()
            + ")";
      }
      return null;
    } catch (Exception e) {
      return "bubblewrap probe failed: " + e.getMessage();
    }
  }

  private static Path writeSeccompFilter(Path home) {
    try {
      Path filter = home.resolve("seccomp-x86_64.bpf");
      Files.write(filter, SeccompFilter.program());
      return filter;
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("Cannot write the seccomp filter under " + home, e);
    }
  }

  private static boolean onPath(String program) {
    String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
    for (String dir : path.split(":")) {
      if (Files.isExecutable(Path.of(dir, program))) {
        return true;
      }
    }
    return false;
  }
}
