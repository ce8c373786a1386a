package dev.floe.sandbox;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.floe.config.FloeConfig;
import dev.floe.config.KubernetesConfig;
import dev.floe.config.LimitsConfig;
import dev.floe.config.SandboxConfig;
import dev.floe.error.ErrorCode;
import dev.floe.error.FloeException;
import dev.floe.runs.Replicas;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.runtime.Startup;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Chooses how runners start, once, and fails closed: when isolation cannot be set up there is no
 * launcher and every run is refused with SANDBOX_UNAVAILABLE. The unisolated launcher exists only
 * when configured explicitly, and says so loudly.
 */
@Startup
@ApplicationScoped
public class RunnerSetup {
  private static final Logger LOG = Logger.getLogger(RunnerSetup.class);

  private final PythonRuntime python;
  private final RunnerLauncher launcher;
  private final String problem;
  private final String limits;
  private final Optional<RunCgroups> cgroups;
  private final Path runners;
  private final ExecutorService threads;

  public RunnerSetup(
      FloeConfig floe,
      SandboxConfig sandbox,
      LimitsConfig limitsConfig,
      PythonRuntime python,
      LakeRoots lakes,
      ObjectMapper json,
      KubernetesConfig kubernetes,
      Instance<KubernetesClient> kubernetesClient,
      Instance<Replicas> replicas) {
    this.python = python;
    Path home = floe.homePath();
    this.runners = home.resolve("runners").resolve(Long.toString(ProcessHandle.current().pid()));
    removeDeadServicesRunners(home.resolve("runners"));
    this.threads =
        Executors.newCachedThreadPool(
            task -> {
              Thread t = new Thread(task, "floe-runner-io");
              t.setDaemon(true);
              return t;
            });
    RunnerLauncher chosen = null;
    String why = null;
    String memoryLimit = "rlimits only";
    Optional<RunCgroups> runCgroups = Optional.empty();
    boolean root = "root".equals(System.getProperty("user.name"));
    if (!python.environment().ready()) {
      why = python.environment().problem();
    } else {
      boolean pods = sandbox.runner() == SandboxConfig.RunnerKind.KUBERNETES;
      boolean isolating = !pods && sandbox.runner() != SandboxConfig.RunnerKind.UNSAFE_PROCESS;
      if (isolating) {
        runCgroups = RunCgroups.detect();
        memoryLimit = runCgroups.map(RunCgroups::describe).orElse("rlimits only");
      }
      // A pod's directory on this host is the service's own (the pod writes nothing here itself).
      LaunchSettings settings =
          LaunchSettings.forHost(
              sandbox,
              limitsConfig,
              python,
              json,
              runCgroups,
              home,
              runners,
              root && !pods,
              lakes.roots(),
              threads);
      switch (sandbox.runner()) {
        case KUBERNETES -> {
          try {
            chosen =
                PodLauncher.open(
                    settings,
                    sandbox,
                    limitsConfig,
                    kubernetes,
                    kubernetesClient.get(),
                    replicas.get(),
                    lakes);
            memoryLimit =
                "pod limits of the largest run budget; a run's own memory limit is its"
                    + " address-space limit";
          } catch (IOException | RuntimeException e) {
            why =
                "cannot start run pods: "
                    + e.getMessage()
                    + "; check floe.kubernetes.* and the service account's Role in "
                    + kubernetes.namespace();
          }
        }
        case UNSAFE_PROCESS -> {
          chosen = new UnsafeProcessLauncher(settings);
          LOG.warn(
              "\n*** floe.sandbox.runner=unsafe-process: user code runs WITHOUT ISOLATION, as the"
                  + " service's own user, and can read every file of this host. For development"
                  + " only; never expose this service. ***");
        }
        case FORK -> {
          why = root ? null : "floe.sandbox.runner=fork needs root; use bwrap";
          if (why == null) {
            Attempt fork = attempt(() -> new ForkLauncher(settings), sandbox);
            chosen = fork.launcher();
            why = fork.problem();
          }
        }
        case BWRAP -> {
          Attempt bwrap = attemptBwrap(settings, sandbox);
          chosen = bwrap.launcher();
          why = bwrap.problem();
        }
        case AUTO -> {
          Attempt fork =
              root
                  ? attempt(() -> new ForkLauncher(settings), sandbox)
                  : new Attempt(null, "not root");
          if (fork.launcher() != null) {
            chosen = fork.launcher();
          } else {
            Attempt bwrap = attemptBwrap(settings, sandbox);
            chosen = bwrap.launcher();
            why = bwrap.problem();
            if (chosen != null && root) {
              LOG.warnf("fork runners are unavailable (%s); using bwrap runners", fork.problem());
            }
          }
        }
        default -> throw new IllegalStateException("unhandled runner " + sandbox.runner());
      }
    }
    this.launcher = chosen;
    this.problem = why;
    this.limits = memoryLimit;
    this.cgroups = runCgroups;
    if (launcher != null) {
      String said = launcher.describe();
      LOG.infof(
          "runners: %s (%s)%s",
          launcher.name(), python.environment().versions(), said == null ? "" : "; " + said);
    } else {
      LOG.errorf("no runner: every run will be refused with SANDBOX_UNAVAILABLE: %s", problem);
    }
  }

  private record Attempt(RunnerLauncher launcher, String problem) {}

  private interface Opening {
    RunnerLauncher open() throws IOException;
  }

  private Attempt attemptBwrap(LaunchSettings settings, SandboxConfig sandbox) {
    if (!onPath("bwrap")) {
      return new Attempt(
          null,
          "bubblewrap is not installed; install it (apt-get install bubblewrap) or, for"
              + " development only, set floe.sandbox.runner=unsafe-process");
    }
    return attempt(() -> new BwrapLauncher(settings), sandbox);
  }

  /** Opens a launcher and starts one runner with it; any failure means it cannot isolate here. */
  private Attempt attempt(Opening opening, SandboxConfig sandbox) {
    RunnerLauncher opened = null;
    try {
      opened = opening.open();
      Runner probe = opened.launch("probe-" + ProcessHandle.current().pid());
      try {
        probe.ready().get(sandbox.startTimeoutSeconds(), TimeUnit.SECONDS);
      } finally {
        probe.discard();
      }
      return new Attempt(opened, null);
    } catch (Exception e) {
      if (opened != null) {
        opened.close();
      }
      Throwable cause = e instanceof java.util.concurrent.ExecutionException ? e.getCause() : e;
      return new Attempt(
          null,
          (opened == null
                  ? "cannot start runners: "
                  : opened.name() + " could not start a runner: ")
              + cause.getMessage());
    }
  }

  /** The launcher, or SANDBOX_UNAVAILABLE saying why there is none. */
  public RunnerLauncher require() {
    if (launcher == null) {
      throw new FloeException(
          ErrorCode.SANDBOX_UNAVAILABLE,
          "Cannot run workloads: the sandbox is unavailable on this server (" + problem + ").");
    }
    return launcher;
  }

  public Optional<RunnerLauncher> launcher() {
    return Optional.ofNullable(launcher);
  }

  public String problem() {
    return problem;
  }

  /** How runs are limited: cgroups (which) or rlimits only. */
  public String limits() {
    return limits;
  }

  /** What the chosen launcher says of itself ({@link RunnerLauncher#describe}), or null. */
  public String details() {
    return launcher == null ? null : launcher.describe();
  }

  public PythonRuntime python() {
    return python;
  }

  /** No runner outlives the service. */
  @PreDestroy
  void stop() {
    if (launcher != null) {
      launcher.close();
    }
    cgroups.ifPresent(RunCgroups::killAllRuns);
    threads.shutdownNow();
    RunFiles.deleteTree(runners);
  }

  /** Runner directories of service processes that are gone (a crash leaves them behind). */
  private static void removeDeadServicesRunners(Path all) {
    if (!Files.isDirectory(all)) {
      return;
    }
    try (var dirs = Files.list(all)) {
      for (Path dir : dirs.toList()) {
        String name = dir.getFileName().toString();
        boolean alive =
            name.chars().allMatch(Character::isDigit)
                && ProcessHandle.of(Long.parseLong(name)).map(ProcessHandle::isAlive).orElse(false);
        if (!alive) {
          RunFiles.deleteTree(dir);
        }
      }
    } catch (IOException e) {
      LOG.warnf("cannot clean up %s: %s", all, e.getMessage());
    }
  }

  static boolean onPath(String program) {
    String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
    for (String dir : path.split(":")) {
      if (Files.isExecutable(Path.of(dir, program))) {
        return true;
      }
    }
    return false;
  }
}
