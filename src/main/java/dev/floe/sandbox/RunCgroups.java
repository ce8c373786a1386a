package dev.floe.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Per-run cgroups (v1 memory + pids, under the service's own cgroups): the memory limit the kernel
 * enforces on the whole process tree, a pids limit against fork and thread bombs, an OOM counter to
 * read instead of guessing from exit codes, and a membership list to kill every process of a run —
 * re-parented orphans included.
 */
public final class RunCgroups {
  private static final Logger LOG = Logger.getLogger(RunCgroups.class);
  private static final Path ROOT = Path.of("/sys/fs/cgroup");

  private final Path memoryParent;
  private final Path pidsParent;

  private RunCgroups(Path memoryParent, Path pidsParent) {
    this.memoryParent = memoryParent;
    this.pidsParent = pidsParent;
  }

  /** Finds writable v1 memory and pids hierarchies, or explains why there are none. */
  public static Optional<RunCgroups> detect() {
    try {
      String memory = null;
      String pids = null;
      for (String line : Files.readAllLines(Path.of("/proc/self/cgroup"))) {
        String[] parts = line.split(":", 3);
        if (parts.length == 3 && List.of(parts[1].split(",")).contains("memory")) {
          memory = parts[2];
        } else if (parts.length == 3 && List.of(parts[1].split(",")).contains("pids")) {
          pids = parts[2];
        }
      }
      if (memory == null || pids == null) {
        LOG.warn("no cgroup v1 memory+pids hierarchy: runs are limited by rlimits only");
        return Optional.empty();
      }
      // One parent per service process: several Floes on a host never touch each other's runs.
      String mine = "floe-runs-" + ProcessHandle.current().pid();
      Path memoryRoot = ROOT.resolve("memory" + memory);
      Path pidsRoot = ROOT.resolve("pids" + pids);
      removeDeadServicesGroups(memoryRoot, pidsRoot);
      Path memoryParent = Files.createDirectories(memoryRoot.resolve(mine));
      Path pidsParent = Files.createDirectories(pidsRoot.resolve(mine));
      if (!Files.isWritable(memoryParent.resolve("cgroup.procs"))) {
        return Optional.empty();
      }
      RunCgroups cgroups = new RunCgroups(memoryParent, pidsParent);
      cgroups.killAllRuns();
      return Optional.of(cgroups);
    } catch (IOException | RuntimeException e) {
      LOG.warnf("cannot use cgroups (%s): runs are limited by rlimits only", e.getMessage());
      return Optional.empty();
    }
  }

  /** What a crashed service left behind: the run groups of service processes that are gone. */
  private static void removeDeadServicesGroups(Path memoryRoot, Path pidsRoot) throws IOException {
    if (!Files.isDirectory(pidsRoot)) {
      return;
    }
    try (var parents = Files.list(pidsRoot)) {
      for (Path pids :
          parents.filter(p -> p.getFileName().toString().startsWith("floe-runs-")).toList()) {
        String name = pids.getFileName().toString();
        long owner;
        try {
          owner = Long.parseLong(name.substring("floe-runs-".length()));
        } catch (NumberFormatException e) {
          continue;
        }
        if (ProcessHandle.of(owner).map(ProcessHandle::isAlive).orElse(false)) {
          continue;
        }
        RunCgroups dead = new RunCgroups(memoryRoot.resolve(name), pids);
        dead.killAllRuns();
        for (Path group : java.util.List.of(memoryRoot.resolve(name), pids)) {
          Files.deleteIfExists(group);
        }
      }
    }
  }

  /**
   * Kills the processes of every run's groups of this service and removes them: at start-up, and at
   * shutdown so no run outlives the service.
   */
  public void killAllRuns() {
    try (var runs = Files.list(pidsParent)) {
      for (Path pids : runs.filter(Files::isDirectory).toList()) {
        new Group(memoryParent.resolve(pids.getFileName()), pids).killAndRemove();
      }
    } catch (IOException e) {
      LOG.warnf("cannot list the runs' cgroups: %s", e.getMessage());
    }
  }

  public String describe() {
    return "v1 memory+pids";
  }

  /** Creates the run's groups with their limits. */
  public Group create(String runId, int memoryMb, int maxPids) throws IOException {
    Path memory = Files.createDirectory(memoryParent.resolve(runId));
    Path pids = Files.createDirectory(pidsParent.resolve(runId));
    long bytes = (long) memoryMb * 1024 * 1024;
    Files.writeString(memory.resolve("memory.limit_in_bytes"), Long.toString(bytes));
    Path memsw = memory.resolve("memory.memsw.limit_in_bytes");
    if (Files.exists(memsw)) {
      Files.writeString(memsw, Long.toString(bytes));
    }
    Files.writeString(pids.resolve("pids.max"), Integer.toString(maxPids));
    return new Group(memory, pids);
  }

  /** One run's groups. */
  public record Group(Path memory, Path pids) {

    /** The files a process writes its pid into to join the run's groups. */
    public List<String> procsFiles() {
      return List.of(
          memory.resolve("cgroup.procs").toString(), pids.resolve("cgroup.procs").toString());
    }

    /** Whether the kernel's OOM killer killed a process of this run. */
    public boolean oomKilled() {
      try {
        for (String line : Files.readAllLines(memory.resolve("memory.oom_control"))) {
          if (line.startsWith("oom_kill ") && Long.parseLong(line.substring(9).trim()) > 0) {
            return true;
          }
        }
      } catch (IOException | NumberFormatException e) {
        LOG.debugf("cannot read the OOM counter of %s: %s", memory, e.getMessage());
      }
      return false;
    }

    /** Whether the run hit its pids limit (a fork or thread bomb). */
    public boolean pidsLimitHit() {
      try {
        String events = Files.readString(pids.resolve("pids.events")).trim();
        return events.startsWith("max ") && Long.parseLong(events.substring(4).trim()) > 0;
      } catch (IOException | NumberFormatException e) {
        return false;
      }
    }

    /** SIGKILL to every member until none is left, then removes the groups. */
    public void killAndRemove() {
      for (int round = 0; round < 100; round++) {
        List<Long> members = members();
        if (members.isEmpty()) {
          break;
        }
        members.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
        try {
          Thread.sleep(20);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
      for (Path group : List.of(memory, pids)) {
        try {
          Files.deleteIfExists(group);
        } catch (IOException e) {
          LOG.warnf("cannot remove cgroup %s: %s", group, e.getMessage());
        }
      }
    }

    private List<Long> members() {
      try {
        return Files.readAllLines(pids.resolve("cgroup.procs")).stream()
            .filter(s -> !s.isBlank())
            .map(Long::parseLong)
            .toList();
      } catch (IOException e) {
        return List.of();
      }
    }
  }
}
