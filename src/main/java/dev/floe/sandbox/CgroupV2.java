package dev.floe.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * cgroup v2 (the unified hierarchy): per run one group {@code floe-runs-<service pid>/<run id>}
 * below the service's own, with {@code memory.max} (and no swap), {@code memory.oom.group}, {@code
 * pids.max} and {@code cpu.max}; OOM kills are read from {@code memory.events}, fork bombs from
 * {@code pids.events}, and the whole group dies at once through {@code cgroup.kill} (SIGKILL to the
 * members where the kernel predates it).
 *
 * <p>v2 lets a group hand controllers to its children only while it has no processes of its own
 * ("no internal processes"), so when the service's group holds processes, the service first moves
 * itself into a leaf {@code floe-service} beside the runs' parent — the layout systemd expects of a
 * unit with {@code Delegate=yes}.
 */
final class CgroupV2 implements RunCgroups {
  private static final Logger LOG = Logger.getLogger(CgroupV2.class);
  static final String SERVICE_LEAF = "floe-service";

  private final Path parent;
  private final boolean cpu;

  CgroupV2(Path parent, boolean cpu) {
    this.parent = parent;
    this.cpu = cpu;
  }

  /**
   * The v2 layout under {@code mount} (the cgroup file system: {@code /sys/fs/cgroup}, or a
   * stand-in in tests) for a service whose {@code /proc/self/cgroup} has {@code self}; or empty,
   * with the reason appended to {@code why}.
   */
  static Optional<RunCgroups> detect(Path mount, List<String> self, long pid, StringBuilder why) {
    String own = null;
    for (String line : self) {
      if (line.startsWith("0::")) {
        own = line.substring(3);
      }
    }
    if (own == null) {
      why.append("no unified (v2) hierarchy");
      return Optional.empty();
    }
    // Pure v2 mounts the unified hierarchy at the mount point; hybrid hosts below it, at unified/.
    Path root;
    if (Files.exists(mount.resolve("cgroup.controllers"))) {
      root = mount;
    } else if (Files.exists(mount.resolve("unified/cgroup.controllers"))) {
      root = mount.resolve("unified");
    } else {
      why.append("the unified hierarchy is not mounted");
      return Optional.empty();
    }
    Path ownDir = own.equals("/") ? root : root.resolve(own.substring(1));
    try {
      List<String> available = words(ownDir.resolve("cgroup.controllers"));
      if (!available.contains("memory") || !available.contains("pids")) {
        why.append("the unified hierarchy has no memory+pids controllers here (")
            .append(String.join(" ", available))
            .append(")");
        return Optional.empty();
      }
      boolean cpu = available.contains("cpu");
      String enable = cpu ? "+memory +pids +cpu" : "+memory +pids";
      removeDeadServicesGroups(ownDir);
      if (!ownDir.equals(root) && !RunCgroups.members(ownDir.resolve("cgroup.procs")).isEmpty()) {
        Path leaf = Files.createDirectories(ownDir.resolve(SERVICE_LEAF));
        RunCgroups.write(leaf.resolve("cgroup.procs"), Long.toString(pid));
      }
      try {
        RunCgroups.write(ownDir.resolve("cgroup.subtree_control"), enable);
      } catch (IOException e) {
        why.append("cannot delegate ")
            .append(enable)
            .append(" below ")
            .append(ownDir)
            .append(" (")
            .append(e.getMessage())
            .append("): give Floe a cgroup of its own, e.g. systemd Delegate=yes");
        return Optional.empty();
      }
      Path parent = Files.createDirectories(ownDir.resolve(CgroupV1.PREFIX + pid));
      RunCgroups.write(parent.resolve("cgroup.subtree_control"), enable);
      CgroupV2 cgroups = new CgroupV2(parent, cpu);
      cgroups.killAllRuns();
      return Optional.of(cgroups);
    } catch (IOException | RuntimeException e) {
      why.append("cannot use v2 cgroups: ").append(e.getMessage());
      return Optional.empty();
    }
  }

  private static List<String> words(Path file) throws IOException {
    String text = Files.readString(file).trim();
    return text.isEmpty() ? List.of() : List.of(text.split("\\s+"));
  }

  /** What a crashed service left behind: the runs' parents of service processes that are gone. */
  private static void removeDeadServicesGroups(Path ownDir) throws IOException {
    try (var children = Files.list(ownDir)) {
      for (Path dir :
          children
              .filter(p -> p.getFileName().toString().startsWith(CgroupV1.PREFIX))
              .filter(Files::isDirectory)
              .toList()) {
        long owner;
        try {
          owner = Long.parseLong(dir.getFileName().toString().substring(CgroupV1.PREFIX.length()));
        } catch (NumberFormatException e) {
          continue;
        }
        if (!ProcessHandle.of(owner).map(ProcessHandle::isAlive).orElse(false)) {
          new CgroupV2(dir, false).killAllRuns();
          RunCgroups.remove(dir);
        }
      }
    }
  }

  @Override
  public String describe() {
    return cpu ? "v2 memory+pids+cpu" : "v2 memory+pids";
  }

  @Override
  public RunCgroups.Group create(String runId, Limits limits) throws IOException {
    Group group = new Group(Files.createDirectory(parent.resolve(runId)));
    try {
      Path dir = group.dir();
      RunCgroups.write(dir.resolve("memory.max"), Long.toString(limits.memoryBytes()));
      RunCgroups.tryWrite(dir.resolve("memory.swap.max"), "0");
      // An OOM kill takes the whole run, not one victim that leaves the rest half-done.
      RunCgroups.tryWrite(dir.resolve("memory.oom.group"), "1");
      group.limitPids(limits.maxPids());
      if (cpu && limits.cpus() > 0) {
        RunCgroups.write(
            dir.resolve("cpu.max"), limits.cpus() * CPU_PERIOD_US + " " + CPU_PERIOD_US);
      }
      return group;
    } catch (IOException | RuntimeException e) {
      group.killAndRemove();
      throw e;
    }
  }

  @Override
  public void killAllRuns() {
    List<Path> runs = new ArrayList<>();
    try (var children = Files.list(parent)) {
      children.filter(Files::isDirectory).forEach(runs::add);
    } catch (IOException e) {
      LOG.warnf("cannot list the runs' cgroups: %s", e.getMessage());
    }
    runs.forEach(dir -> new Group(dir).killAndRemove());
  }

  /** One run's group. */
  record Group(Path dir) implements RunCgroups.Group {

    /** The one group holds every controller. */
    @Override
    public Path pids() {
      return dir;
    }

    @Override
    public List<String> procsFiles() {
      return List.of(dir.resolve("cgroup.procs").toString());
    }

    @Override
    public void update(Limits limits) throws IOException {
      RunCgroups.write(dir.resolve("memory.max"), Long.toString(limits.memoryBytes()));
      if (limits.maxPids() >= 0) {
        limitPids(limits.maxPids());
      }
      if (limits.cpus() > 0 && Files.exists(dir.resolve("cpu.max"))) {
        RunCgroups.write(
            dir.resolve("cpu.max"), limits.cpus() * CPU_PERIOD_US + " " + CPU_PERIOD_US);
      }
    }

    @Override
    public boolean oomKilled() {
      return RunCgroups.counter(dir.resolve("memory.events"), "oom_kill") > 0;
    }

    @Override
    public void kill() {
      // cgroup.kill (Linux 5.14+) kills every member at once, forks in flight included.
      RunCgroups.tryWrite(dir.resolve("cgroup.kill"), "1");
      RunCgroups.killMembers(dir.resolve("cgroup.procs"));
    }

    @Override
    public void killAndRemove() {
      kill();
      RunCgroups.remove(dir);
    }
  }
}
