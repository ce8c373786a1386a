package dev.floe.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cgroup v2 layout, against a temp directory standing in for /sys/fs/cgroup: this machine has
 * only v1 controllers (its unified hierarchy lacks memory), so the v2 code path cannot run against
 * a kernel here. What is checked is what the kernel would be told: which files get which values.
 */
class CgroupV2Test {
  private static final long PID = 4242;

  @TempDir Path mount;

  /** A unified hierarchy with these controllers, the service in {@code own} with its pid. */
  private Path unified(String controllers, String own) throws IOException {
    Files.writeString(mount.resolve("cgroup.controllers"), controllers + "\n");
    Path ownDir = own.equals("/") ? mount : mount.resolve(own.substring(1));
    Files.createDirectories(ownDir);
    Files.writeString(ownDir.resolve("cgroup.controllers"), controllers + "\n");
    if (!own.equals("/")) {
      Files.writeString(ownDir.resolve("cgroup.procs"), PID + "\n");
    }
    return ownDir;
  }

  private static Optional<RunCgroups> detect(Path mount, String own, StringBuilder why) {
    return CgroupV2.detect(mount, List.of("0::" + own), PID, why);
  }

  @Test
  void perRunGroupGetsMemoryPidsAndCpuLimits() throws IOException {
    Path own = unified("cpuset cpu io memory pids", "/system.slice/floe.service");
    StringBuilder why = new StringBuilder();
    RunCgroups cgroups = detect(mount, "/system.slice/floe.service", why).orElseThrow();
    assertEquals("v2 memory+pids+cpu", cgroups.describe(), why.toString());

    // The service moved itself into a leaf, then delegated the controllers to the runs' parent.
    assertEquals(PID + "", Files.readString(own.resolve("floe-service/cgroup.procs")).trim());
    assertEquals("+memory +pids +cpu", Files.readString(own.resolve("cgroup.subtree_control")));
    Path parent = own.resolve("floe-runs-" + PID);
    assertEquals("+memory +pids +cpu", Files.readString(parent.resolve("cgroup.subtree_control")));

    RunCgroups.Group group = cgroups.create("r-1", new RunCgroups.Limits(512L << 20, 64, 2));
    Path run = parent.resolve("r-1");
    assertEquals(List.of(run.resolve("cgroup.procs").toString()), group.procsFiles());
    assertEquals(Long.toString(512L << 20), Files.readString(run.resolve("memory.max")));
    assertEquals("64", Files.readString(run.resolve("pids.max")));
    assertEquals("200000 100000", Files.readString(run.resolve("cpu.max")));
  }

  @Test
  void oomAndPidsEventsAreReadFromTheKernelsCounters() throws IOException {
    unified("memory pids", "/");
    RunCgroups cgroups = detect(mount, "/", new StringBuilder()).orElseThrow();
    assertEquals("v2 memory+pids", cgroups.describe());
    RunCgroups.Group group = cgroups.create("r-2", new RunCgroups.Limits(1L << 30, 10, 1));
    Path run = mount.resolve("floe-runs-" + PID + "/r-2");
    assertFalse(Files.exists(run.resolve("cpu.max")), "no cpu controller, no cpu.max");

    Files.writeString(run.resolve("memory.events"), "low 0\nhigh 0\nmax 7\noom 1\noom_kill 0\n");
    Files.writeString(run.resolve("pids.events"), "max 0\n");
    assertFalse(group.oomKilled(), "an OOM event without a kill is not an OOM kill");
    assertFalse(group.pidsLimitHit());

    Files.writeString(run.resolve("memory.events"), "low 0\nhigh 0\nmax 9\noom 2\noom_kill 1\n");
    Files.writeString(run.resolve("pids.events"), "max 3\n");
    assertTrue(group.oomKilled());
    assertTrue(group.pidsLimitHit());
  }

  @Test
  void killWritesCgroupKillAndSweepsEveryRunAtStart() throws IOException {
    unified("memory pids cpu", "/");
    RunCgroups cgroups = detect(mount, "/", new StringBuilder()).orElseThrow();
    cgroups.create("r-3", new RunCgroups.Limits(1L << 30, 10, 1));
    Path run = mount.resolve("floe-runs-" + PID + "/r-3");
    // The kernel provides cgroup.kill; the stand-in directory needs it created.
    Files.writeString(run.resolve("cgroup.kill"), "0");

    // A restarted service (same parent) kills what the previous one left running.
    detect(mount, "/", new StringBuilder()).orElseThrow();
    assertEquals("1", Files.readString(run.resolve("cgroup.kill")));
  }

  @Test
  void aHybridHostWithoutMemoryInTheUnifiedTreeFallsBackToV1() throws IOException {
    // This machine: v1 controllers, and a unified hierarchy at unified/ with only hugetlb.
    Files.createDirectories(mount.resolve("unified"));
    Files.writeString(mount.resolve("unified/cgroup.controllers"), "hugetlb\n");
    StringBuilder why = new StringBuilder();
    assertTrue(detect(mount, "/", why).isEmpty());
    assertTrue(why.toString().contains("no memory+pids controllers"), why.toString());
  }

  @Test
  void noUnifiedLineMeansNoV2() {
    StringBuilder why = new StringBuilder();
    assertTrue(CgroupV2.detect(mount, List.of("4:memory:/x", "8:pids:/"), PID, why).isEmpty());
    assertTrue(why.toString().contains("no unified"), why.toString());
  }

  @Test
  void aDeadServicesRunsAreKilledAndRemoved() throws IOException {
    Path own = unified("memory pids", "/");
    // pid 2^22+1 is above any pid_max: that service is certainly gone.
    Path dead = Files.createDirectories(own.resolve("floe-runs-4194305/r-old"));
    Files.writeString(dead.resolve("cgroup.kill"), "0");
    detect(mount, "/", new StringBuilder()).orElseThrow();
    assertEquals("1", Files.readString(dead.resolve("cgroup.kill")));
  }
}
