package dev.floe.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Per-run cgroups, under the service's own: the memory limit the kernel enforces on the whole
 * process tree, a pids limit against fork and thread bombs, a CPU quota from the run's threads, an
 * OOM counter to read instead of guessing from exit codes, and a membership list to kill every
 * process of a run — re-parented orphans included.
 *
 * <p>Two layouts behind one interface: the unified hierarchy ({@link CgroupV2}: one group per run
 * with {@code memory.max}, {@code pids.max}, {@code cpu.max}, {@code memory.events}, {@code
 * cgroup.kill}) where it has the memory controller, else the v1 controllers ({@link CgroupV1}: one
 * group per controller per run).
 */
public interface RunCgroups {
  Path MOUNT = Path.of("/sys/fs/cgroup");

  /** The CFS period both layouts use: quota = cpus × period. */
  long CPU_PERIOD_US = 100_000;

  /**
   * A run's limits.
   *
   * @param maxPids processes and threads; negative: leave as it is (in {@link Group#update})
   * @param cpus CPUs of quota per period ({@code cpu.cfs_quota_us} / {@code cpu.max}); 0 = none
   */
  record Limits(long memoryBytes, int maxPids, int cpus) {}

  /** How runs are limited, for the log and readiness, e.g. {@code v1 memory+pids+cpu}. */
  String describe();

  /** Creates the run's group(s) with their limits. */
  Group create(String runId, Limits limits) throws IOException;

  /**
   * Kills the processes of every run's group of this service and removes them: at start-up, and at
   * shutdown so no run outlives the service.
   */
  void killAllRuns();

  /** One run's group(s). */
  interface Group {
    /** The files a process writes its pid into to join the run's group(s). */
    List<String> procsFiles();

    /** Whether the kernel's OOM killer killed a process of this run. */
    boolean oomKilled();

    /** The group of the pids controller: its files are the same in both layouts. */
    Path pids();

    /** Sets the run's limit on processes and threads. */
    default void limitPids(int maxPids) throws IOException {
      write(pids().resolve("pids.max"), Integer.toString(maxPids));
    }

    /** Whether the run tried to exceed its pids limit (a fork or thread bomb). */
    default boolean pidsLimitHit() {
      return counter(pids().resolve("pids.events"), "max") > 0;
    }

    /** Sets new limits on a group that exists (a runner's, at its hand-over). */
    void update(Limits limits) throws java.io.IOException;

    /** SIGKILL to every member until none is left; the group(s) stay. */
    void kill();

    /** SIGKILL to every member until none is left, then removes the group(s). */
    void killAndRemove();
  }

  /** v2 where its unified hierarchy has the memory controller and can delegate it, else v1. */
  static Optional<RunCgroups> detect() {
    Logger log = Logger.getLogger(RunCgroups.class);
    List<String> self;
    try {
      self = Files.readAllLines(Path.of("/proc/self/cgroup"));
    } catch (IOException e) {
      log.warnf("cannot read /proc/self/cgroup (%s): runs are limited by rlimits only", e);
      return Optional.empty();
    }
    long pid = ProcessHandle.current().pid();
    StringBuilder why = new StringBuilder();
    Optional<RunCgroups> v2 = CgroupV2.detect(MOUNT, self, pid, why);
    if (v2.isPresent()) {
      return v2;
    }
    String v2Problem = why.toString();
    why.setLength(0);
    Optional<RunCgroups> v1 = CgroupV1.detect(MOUNT, self, pid, why);
    if (v1.isPresent()) {
      log.infof("cgroups: %s (not v2: %s)", v1.get().describe(), v2Problem);
      return v1;
    }
    log.warnf(
        "no usable cgroups (v2: %s; v1: %s): runs are limited by rlimits only", v2Problem, why);
    return Optional.empty();
  }

  /** Writes a control file; a missing controller file is an error, unlike {@link #tryWrite}. */
  static void write(Path file, String value) throws IOException {
    Files.writeString(file, value);
  }

  /** Writes a control file if the kernel offers it (e.g. memsw without swap accounting). */
  static boolean tryWrite(Path file, String value) {
    if (!Files.exists(file)) {
      return false;
    }
    try {
      Files.writeString(file, value);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** The pids listed in a {@code cgroup.procs} file; none if it is gone. */
  static List<Long> members(Path procs) {
    try {
      return Files.readAllLines(procs).stream()
          .filter(s -> !s.isBlank())
          .map(String::trim)
          .map(Long::parseLong)
          .toList();
    } catch (IOException | NumberFormatException e) {
      return List.of();
    }
  }

  /** The value of {@code key} in a flat-keyed file such as memory.events ("oom_kill 3"). */
  static long counter(Path file, String key) {
    try {
      for (String line : Files.readAllLines(file)) {
        if (line.startsWith(key + " ")) {
          return Long.parseLong(line.substring(key.length() + 1).trim());
        }
      }
    } catch (IOException | NumberFormatException e) {
      return 0;
    }
    return 0;
  }

  /** SIGKILL to the members of {@code procs} until none is left (at most about two seconds). */
  static void killMembers(Path procs) {
    for (int round = 0; round < 100; round++) {
      List<Long> members = members(procs);
      if (members.isEmpty()) {
        return;
      }
      members.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** Removes an empty cgroup directory (a cgroup's control files go with it). */
  static void remove(Path group) {
    for (int attempt = 0; attempt < 50; attempt++) {
      try {
        Files.deleteIfExists(group);
        return;
      } catch (java.nio.file.DirectoryNotEmptyException e) {
        // A real cgroup directory is never "not empty": this is a plain directory (tests).
        Logger.getLogger(RunCgroups.class).debugf("not a cgroup directory: %s", group);
        return;
      } catch (IOException e) {
        // EBUSY while the last member is still exiting.
        try {
          Thread.sleep(20);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          return;
        }
        if (attempt == 49) {
          Logger.getLogger(RunCgroups.class)
              .warnf("cannot remove cgroup %s: %s", group, e.getMessage());
        }
      }
    }
  }
}
