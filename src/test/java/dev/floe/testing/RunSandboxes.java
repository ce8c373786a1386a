package dev.floe.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * What a test sees of the sandboxes of the service it runs in: the runners' cgroups, their
 * processes (found by cgroup, never by uid: other test JVMs sandbox as the same uid at the same
 * time) and their directories, and waits for them to be gone.
 */
public final class RunSandboxes {
  private static final long JVM_PID = ProcessHandle.current().pid();

  private RunSandboxes() {}

  /**
   * This service's runner groups: one per controller and runner in v1, one per runner in v2 (where
   * the service may have moved itself into a {@code floe-service} leaf beside the runs).
   */
  public static List<Path> runCgroups() {
    List<Path> parents = new ArrayList<>();
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/cgroup"))) {
        String[] parts = line.split(":", 3);
        String own = parts[2].substring(1);
        if (parts[1].isEmpty()) {
          Path unified =
              Files.exists(Path.of("/sys/fs/cgroup/cgroup.controllers"))
                  ? Path.of("/sys/fs/cgroup")
                  : Path.of("/sys/fs/cgroup/unified");
          Path ownDir = unified.resolve(own);
          if (ownDir.getFileName() != null
              && ownDir.getFileName().toString().equals("floe-service")) {
            ownDir = ownDir.getParent();
          }
          parents.add(ownDir.resolve("floe-runs-" + JVM_PID));
        }
        for (String controller : parts[1].split(",")) {
          if (Set.of("memory", "pids", "cpu").contains(controller)) {
            parents.add(Path.of("/sys/fs/cgroup", controller, own).resolve("floe-runs-" + JVM_PID));
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<Path> groups = new ArrayList<>();
    for (Path parent : parents) {
      try (Stream<Path> runs = Files.list(parent)) {
        runs.filter(Files::isDirectory).forEach(groups::add);
      } catch (IOException e) {
        // no such hierarchy for this service
      }
    }
    return groups;
  }

  /** The runners that have cgroups now. */
  public static Set<String> runnersWithCgroups() {
    return new TreeSet<>(runCgroups().stream().map(g -> g.getFileName().toString()).toList());
  }

  /** The runners that have directories now, under {@code home}. */
  public static Set<String> runnersWithDirectories(Path home) {
    Path mine = home.resolve("runners").resolve(Long.toString(JVM_PID));
    if (!Files.isDirectory(mine)) {
      return Set.of();
    }
    try (Stream<Path> list = Files.list(mine)) {
      return new TreeSet<>(list.map(p -> p.getFileName().toString()).toList());
    } catch (IOException e) {
      return Set.of();
    }
  }

  /** The cgroup lines of a process, or empty when it is gone. */
  public static String cgroupOf(long pid) {
    try {
      return Files.readString(Path.of("/proc/" + pid + "/cgroup"));
    } catch (IOException e) {
      return "";
    }
  }

  /** Every process in one of this service's runner cgroups, by runner id. */
  public static List<String> processesInRunCgroups() {
    List<String> found = new ArrayList<>();
    String mark = "/floe-runs-" + JVM_PID + "/";
    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      for (Path proc : procs.toList()) {
        String name = proc.getFileName().toString();
        if (!name.chars().allMatch(Character::isDigit)) {
          continue;
        }
        String groups = cgroupOf(Long.parseLong(name));
        int at = groups.indexOf(mark);
        if (at >= 0) {
          String rest = groups.substring(at + mark.length());
          found.add(rest.substring(0, rest.indexOf('\n') < 0 ? rest.length() : rest.indexOf('\n')));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return found;
  }

  /**
   * The processes a service (by its pid) left: members of its runners' cgroups, and its template
   * and runners found by their command line under its home.
   */
  public static List<Long> processesOf(long servicePid, Path home) {
    String cgroup = "/floe-runs-" + servicePid + "/";
    String launcher = home.toString() + "/harness/";
    return ProcessHandle.allProcesses()
        .map(ProcessHandle::pid)
        .filter(pid -> cgroupOf(pid).contains(cgroup) || cmdline(pid).contains(launcher))
        .toList();
  }

  public static String cmdline(long pid) {
    try {
      return Files.readString(Path.of("/proc/" + pid + "/cmdline")).replace('\0', ' ');
    } catch (IOException e) {
      return "";
    }
  }

  public static Optional<Long> processWith(String marker) {
    return ProcessHandle.allProcesses()
        .map(ProcessHandle::pid)
        .filter(pid -> cmdline(pid).contains(marker))
        .findFirst();
  }

  public static void assertNoProcessWith(String marker) {
    awaitTrue(
        () -> processWith(marker).isEmpty(),
        Duration.ofSeconds(5),
        "a process carrying " + marker + " survived");
  }

  /**
   * Nothing of a finished run is left: every runner cgroup, directory and process belongs to a
   * runner that no run has had yet ({@code unclaimed}: the warm pool's).
   */
  public static void assertOnlyUnclaimedRunnersLeft(Supplier<Set<String>> unclaimed, Path home) {
    awaitTrue(
        () -> {
          Set<String> idle = unclaimed.get();
          return idle.containsAll(runnersWithCgroups())
              && idle.containsAll(runnersWithDirectories(home))
              && idle.containsAll(processesInRunCgroups());
        },
        Duration.ofSeconds(10),
        "runs' leftovers to go");
    Set<String> idle = unclaimed.get();
    List<String> left = new ArrayList<>();
    runnersWithCgroups().stream().filter(r -> !idle.contains(r)).forEach(left::add);
    runnersWithDirectories(home).stream().filter(r -> !idle.contains(r)).forEach(left::add);
    assertEquals(List.of(), left, "cgroups or directories of finished runs are left");
  }

  public static void awaitTrue(BooleanSupplier condition, Duration within, String what) {
    long deadline = System.nanoTime() + within.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting: " + what);
      }
      sleep(50);
    }
  }

  public static <T> T awaitValue(Supplier<Optional<T>> value, Duration within, String what) {
    long deadline = System.nanoTime() + within.toNanos();
    while (true) {
      Optional<T> v = value.get();
      if (v.isPresent()) {
        return v.get();
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      sleep(50);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
