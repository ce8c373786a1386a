package dev.floe.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * cgroup v1: per run one group in each of the memory, pids and (when mounted) cpu hierarchies,
 * under {@code floe-runs-<service pid>} below the service's own group in each.
 */
final class CgroupV1 implements RunCgroups {
  private static final Logger LOG = Logger.getLogger(CgroupV1.class);
  static final String PREFIX = "floe-runs-";

  private final Path memoryParent;
  private final Path pidsParent;
  private final Path cpuParent; // null: no cpu controller

  CgroupV1(Path memoryParent, Path pidsParent, Path cpuParent) {
    this.memoryParent = memoryParent;
    this.pidsParent = pidsParent;
    this.cpuParent = cpuParent;
  }

  /**
   * Finds writable v1 memory and pids hierarchies (and cpu, optional) from {@code
   * /proc/self/cgroup}'s lines, or appends why there are none to {@code why}.
   */
  static Optional<RunCgroups> detect(Path mount, List<String> self, long pid, StringBuilder why) {
    try {
      String memory = ownPath(self, "memory");
      String pids = ownPath(self, "pids");
      String cpu = ownPath(self, "cpu");
      if (memory == null || pids == null) {
        why.append("no v1 memory+pids hierarchy");
        return Optional.empty();
      }
      // One parent per service process: several Floes on a host never touch each other's runs.
      String mine = PREFIX + pid;
      Path memoryRoot = under(mount.resolve("memory"), memory);
      Path pidsRoot = under(mount.resolve("pids"), pids);
      Path cpuRoot = cpu == null ? null : under(mount.resolve("cpu"), cpu);
      removeDeadServicesGroups(memoryRoot, pidsRoot, cpuRoot);
      Path memoryParent = Files.createDirectories(memoryRoot.resolve(mine));
      Path pidsParent = Files.createDirectories(pidsRoot.resolve(mine));
      if (!Files.isWritable(memoryParent.resolve("cgroup.procs"))) {
        why.append(memoryParent).append(" is not writable");
        return Optional.empty();
      }
      Path cpuParent = null;
      if (cpuRoot != null && Files.isDirectory(cpuRoot)) {
        try {
          cpuParent = Files.createDirectories(cpuRoot.resolve(mine));
        } catch (IOException e) {
          LOG.warnf("no CPU quota for runs: cannot create a group under %s: %s", cpuRoot, e);
        }
      }
      CgroupV1 cgroups = new CgroupV1(memoryParent, pidsParent, cpuParent);
      cgroups.killAllRuns();
      return Optional.of(cgroups);
    } catch (IOException | RuntimeException e) {
      why.append("cannot use v1 cgroups: ").append(e.getMessage());
      return Optional.empty();
    }
  }

  /** The service's own path in the v1 hierarchy that has {@code controller}, or null. */
  static String ownPath(List<String> self, String controller) {
    for (String line : self) {
      String[] parts = line.split(":", 3);
      if (parts.length == 3 && List.of(parts[1].split(",")).contains(controller)) {
        return parts[2];
      }
    }
    return null;
  }

  private static Path under(Path root, String path) {
    return root.resolve(path.startsWith("/") ? path.substring(1) : path);
  }

  /** What a crashed service left behind: the run groups of service processes that are gone. */
  private static void removeDeadServicesGroups(Path memoryRoot, Path pidsRoot, Path cpuRoot)
      throws IOException {
    if (!Files.isDirectory(pidsRoot)) {
      return;
    }
    try (var parents = Files.list(pidsRoot)) {
      for (Path pids :
          parents.filter(p -> p.getFileName().toString().startsWith(PREFIX)).toList()) {
        String name = pids.getFileName().toString();
        long owner;
        try {
          owner = Long.parseLong(name.substring(PREFIX.length()));
        } catch (NumberFormatException e) {
          continue;
        }
        if (ProcessHandle.of(owner).map(ProcessHandle::isAlive).orElse(false)) {
          continue;
        }
        Path cpu = cpuRoot == null ? null : cpuRoot.resolve(name);
        new CgroupV1(
                memoryRoot.resolve(name), pids, cpu != null && Files.isDirectory(cpu) ? cpu : null)
            .killAllRuns();
        for (Path group : new Path[] {memoryRoot.resolve(name), pids, cpu}) {
          if (group != null) {
            RunCgroups.remove(group);
          }
        }
      }
    }
  }

  @Override
  public void killAllRuns() {
    try (var runs = Files.list(pidsParent)) {
      for (Path pids : runs.filter(Files::isDirectory).toList()) {
        Path name = pids.getFileName();
        Path cpu = cpuParent == null ? null : cpuParent.resolve(name);
        new Group(
                memoryParent.resolve(name),
                pids,
                cpu != null && Files.isDirectory(cpu) ? cpu : null)
            .killAndRemove();
      }
    } catch (IOException e) {
      LOG.warnf("cannot list the runs' cgroups: %s", e.getMessage());
    }
  }

  @Override
  public String describe() {
    return cpuParent == null ? "v1 memory+pids" : "v1 memory+pids+cpu";
  }

  @Override
  public Group create(String runId, Limits limits) throws IOException {
    Path memory = Files.createDirectory(memoryParent.resolve(runId));
    Path pids = Files.createDirectory(pidsParent.resolve(runId));
    Path cpu = null;
    Group group = new Group(memory, pids, null);
    try {
      String bytes = Long.toString(limits.memoryBytes());
      RunCgroups.write(memory.resolve("memory.limit_in_bytes"), bytes);
      // Without swap accounting there is no memsw file, and no swap to escape into on these hosts.
      RunCgroups.tryWrite(memory.resolve("memory.memsw.limit_in_bytes"), bytes);
      group.limitPids(limits.maxPids());
      if (cpuParent != null && limits.cpus() > 0) {
        cpu = Files.createDirectory(cpuParent.resolve(runId));
        group = new Group(memory, pids, cpu);
        RunCgroups.write(cpu.resolve("cpu.cfs_period_us"), Long.toString(CPU_PERIOD_US));
        RunCgroups.write(
            cpu.resolve("cpu.cfs_quota_us"), Long.toString(limits.cpus() * CPU_PERIOD_US));
      }
      return group;
    } catch (IOException | RuntimeException e) {
      group.killAndRemove();
      throw e;
    }
  }

  /** One run's groups; {@code cpu} is null without a CPU quota. */
  record Group(Path memory, Path pids, Path cpu) implements RunCgroups.Group {

    @Override
    public List<String> procsFiles() {
      List<String> files = new ArrayList<>();
      files.add(memory.resolve("cgroup.procs").toString());
      files.add(pids.resolve("cgroup.procs").toString());
      if (cpu != null) {
        files.add(cpu.resolve("cgroup.procs").toString());
      }
      return files;
    }

    @Override
    public void update(Limits limits) throws IOException {
      String bytes = Long.toString(limits.memoryBytes());
      Path limit = memory.resolve("memory.limit_in_bytes");
      Path withSwap = memory.resolve("memory.memsw.limit_in_bytes");
      // memsw may never be below the memory limit: lower the memory limit first, raise it last.
      if (limits.memoryBytes() <= Long.parseLong(Files.readString(limit).trim())) {
        RunCgroups.write(limit, bytes);
        RunCgroups.tryWrite(withSwap, bytes);
      } else {
        RunCgroups.tryWrite(withSwap, bytes);
        RunCgroups.write(limit, bytes);
      }
      if (limits.maxPids() >= 0) {
        limitPids(limits.maxPids());
      }
      if (cpu != null && limits.cpus() > 0) {
        RunCgroups.write(
            cpu.resolve("cpu.cfs_quota_us"), Long.toString(limits.cpus() * CPU_PERIOD_US));
      }
    }

    @Override
    public boolean oomKilled() {
      return RunCgroups.counter(memory.resolve("memory.oom_control"), "oom_kill") > 0;
    }

    @Override
    public void kill() {
      // Every process of the run is in its pids group (it joins all groups before anything runs).
      RunCgroups.killMembers(pids.resolve("cgroup.procs"));
      RunCgroups.killMembers(memory.resolve("cgroup.procs"));
    }

    @Override
    public void killAndRemove() {
      kill();
      for (Path group : new Path[] {memory, pids, cpu}) {
        if (group != null) {
          RunCgroups.remove(group);
        }
      }
    }
  }
}
