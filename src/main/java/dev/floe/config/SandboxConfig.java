package dev.floe.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Positive;
import java.util.Optional;

/** How runs are isolated. */
@ConfigMapping(prefix = "floe.sandbox")
public interface SandboxConfig {

  /** Which runner executes user code. */
  enum RunnerKind {
    /**
     * fork where it works here (as root), else bwrap; otherwise every run is refused with
     * SANDBOX_UNAVAILABLE.
     */
    AUTO,
    /**
     * Runners forked from a template interpreter that imported the libraries once, each entering
     * fresh namespaces, cgroups, an unprivileged uid and a seccomp filter before its job: fast.
     * Needs root.
     */
    FORK,
    /** Runners started by bubblewrap: a fresh interpreter each; works without root. */
    BWRAP,
    /**
     * A pod per run (gVisor by default), for Kubernetes: started ahead in {@code
     * floe.kubernetes.namespace}, connected back to this replica's hand-over endpoint, deleted
     * after its one job. When the cluster's API cannot be reached at start-up every run is refused
     * with SANDBOX_UNAVAILABLE, never run some other way.
     */
    KUBERNETES,
    /** No isolation at all: for development on a machine without bubblewrap, never production. */
    UNSAFE_PROCESS
  }

  @WithDefault("auto")
  RunnerKind runner();

  /** The sandbox's Python interpreter; default: the venv the build created under floe.home. */
  Optional<String> python();

  /** Threads Polars may use in one run; default: the machine's cores. */
  Optional<@Positive Integer> maxThreads();

  /** {@link #maxThreads()}, or the machine's cores. */
  default int threadsPerRun() {
    return maxThreads().orElse(Runtime.getRuntime().availableProcessors());
  }

  /** Seconds a runner may take from its start to ready before it is given up. */
  @WithDefault("120")
  int startTimeoutSeconds();

  /** Keep each run's directory after the run (for debugging the harness). */
  @WithDefault("false")
  boolean keepRunDirs();

  /** The unprivileged uid:gid that sandboxed code runs as. */
  @WithDefault("65534")
  @Min(0)
  int uid();

  @WithDefault("65534")
  @Min(0)
  int gid();

  /** Processes and threads one run may have at once (its pids cgroup). */
  @WithDefault("1024")
  @Positive
  int maxPids();

  /** Size of the run's writable scratch space (a tmpfs in the bwrap runner). */
  @WithDefault("512")
  @Positive
  int scratchMb();

  /**
   * The largest file a run may write, in MB (RLIMIT_FSIZE): its result file, and any file in its
   * scratch space. A result that reaches it fails with LIMIT_EXCEEDED naming this limit.
   */
  @WithDefault("8192")
  @Min(1)
  int maxResultFileMb();
}
