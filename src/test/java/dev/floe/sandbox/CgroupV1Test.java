package dev.floe.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The v1 layout's file writes against a stand-in for /sys/fs/cgroup (the live v1 path is exercised
 * by every bwrap run of the other tests): memory, pids, and the CPU quota from the run's threads.
 */
class CgroupV1Test {
  private static final long PID = 4243;

  @TempDir Path mount;

  private void controller(String name, String own) throws IOException {
    // The kernel creates cgroup.procs in every new group; the stand-in needs it for the parent.
    Path parent = Files.createDirectories(mount.resolve(name + own).resolve("floe-runs-" + PID));
    Files.writeString(parent.resolve("cgroup.procs"), "");
  }

  @Test
  void memoryPidsAndCpuQuota() throws IOException {
    controller("memory", "/svc");
    controller("pids", "/");
    controller("cpu", "/");
    StringBuilder why = new StringBuilder();
    RunCgroups cgroups =
        CgroupV1.detect(mount, List.of("4:memory:/svc", "8:pids:/", "1:cpu,cpuacct:/"), PID, why)
            .orElseThrow(() -> new AssertionError(why));
    assertEquals("v1 memory+pids+cpu", cgroups.describe());

    RunCgroups.Group group = cgroups.create("r-1", new RunCgroups.Limits(256L << 20, 32, 3));
    Path memory = mount.resolve("memory/svc/floe-runs-" + PID + "/r-1");
    Path pids = mount.resolve("pids/floe-runs-" + PID + "/r-1");
    Path cpu = mount.resolve("cpu/floe-runs-" + PID + "/r-1");
    assertEquals(
        Long.toString(256L << 20), Files.readString(memory.resolve("memory.limit_in_bytes")));
    assertEquals("32", Files.readString(pids.resolve("pids.max")));
    assertEquals("100000", Files.readString(cpu.resolve("cpu.cfs_period_us")));
    assertEquals("300000", Files.readString(cpu.resolve("cpu.cfs_quota_us")));
    assertEquals(
        List.of(
            memory.resolve("cgroup.procs").toString(),
            pids.resolve("cgroup.procs").toString(),
            cpu.resolve("cgroup.procs").toString()),
        group.procsFiles());

    Files.writeString(
        memory.resolve("memory.oom_control"), "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n");
    Files.writeString(pids.resolve("pids.events"), "max 0\n");
    assertTrue(group.oomKilled());
    assertTrue(!group.pidsLimitHit());
  }

  @Test
  void withoutTheCpuControllerThereIsNoQuota() throws IOException {
    controller("memory", "/");
    controller("pids", "/");
    RunCgroups cgroups =
        CgroupV1.detect(mount, List.of("4:memory:/", "8:pids:/"), PID, new StringBuilder())
            .orElseThrow();
    assertEquals("v1 memory+pids", cgroups.describe());
    assertEquals(
        2, cgroups.create("r-2", new RunCgroups.Limits(1L << 30, 8, 2)).procsFiles().size());
  }
}
