package dev.floe.sandbox;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;

/**
 * What every launcher needs to start a runner.
 *
 * @param runners where runners' directories are made
 * @param root whether the service runs as root (the sandbox's uid then owns a run's output files
 *     and its channel)
 * @param warm the cgroup limits a runner has until its hand-over sets its run's
 * @param lakeRoots warehouses that lie under one of the sandbox's own mounts (/tmp): each runner
 *     binds its root's copy of them there, so that granted files show at their paths
 * @param threads runs a runner's channel and output pumps
 */
record LaunchSettings(
    Path runners,
    ObjectMapper json,
    Optional<RunCgroups> cgroups,
    boolean root,
    int uid,
    int gid,
    long scratchBytes,
    int maxPids,
    long maxFileBytes,
    RunCgroups.Limits warm,
    PythonRuntime python,
    Path seccompFilter,
    List<Path> lakeRoots,
    Executor threads) {

  /** What this host's configuration gives every runner. */
  static LaunchSettings forHost(
      dev.floe.config.SandboxConfig sandbox,
      dev.floe.config.LimitsConfig limits,
      PythonRuntime python,
      ObjectMapper json,
      Optional<RunCgroups> cgroups,
      Path home,
      Path runners,
      boolean root,
      List<Path> lakes,
      Executor threads) {
    try {
      Files.createDirectories(runners);
      Path seccomp = Files.write(home.resolve("seccomp-x86_64.bpf"), SeccompFilter.program());
      // Until its hand-over sets its run's, a runner may grow to the largest budget a run may get.
      RunCgroups.Limits warm =
          new RunCgroups.Limits(
              (long) limits.memoryMbCap() * 1024 * 1024,
              sandbox.maxPids(),
              sandbox.threadsPerRun());
      return new LaunchSettings(
          runners,
          json,
          cgroups,
          root,
          sandbox.uid(),
          sandbox.gid(),
          (long) sandbox.scratchMb() * 1024 * 1024,
          sandbox.maxPids(),
          (long) sandbox.maxResultFileMb() * 1024 * 1024,
          warm,
          python,
          seccomp,
          underSandboxMounts(lakes, python),
          threads);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("Cannot prepare runners under " + home, e);
    }
  }

  /** The sandbox's uid and gid when the service runs as root, else null (the service's own). */
  int[] owner() {
    return root ? new int[] {uid, gid} : null;
  }

  /** The warehouses a sandbox's own mounts would hide ({@code /tmp}...), so runners bind them. */
  static List<Path> underSandboxMounts(List<Path> lakes, PythonRuntime python) {
    List<Path> mounts = new java.util.ArrayList<>();
    for (String own : List.of("/tmp", "/dev", "/proc", RunnerFiles.SANDBOX_OUT)) {
      mounts.add(Path.of(own));
    }
    mounts.addAll(python.sandboxPaths());
    return lakes.stream()
        .filter(lake -> mounts.stream().anyMatch(lake::startsWith))
        .distinct()
        .toList();
  }

  /** The runner's process, started once its files, cgroups and channel exist. */
  interface ProcessStarter {
    /** The runner's channel: a Unix socket in its directory, unless the kind connects otherwise. */
    default RunnerChannel channel(LaunchSettings settings, RunnerFiles files)
        throws java.io.IOException {
      return UnixRunnerChannel.listen(files.socket(), settings.json(), settings.owner());
    }

    RunnerProcess start(
        RunnerFiles files, RunCgroups.Group group, RunnerLog log, RunnerChannel channel)
        throws java.io.IOException;
  }

  /** Creates a runner's files, cgroups and channel, then starts its process. */
  Runner start(LauncherKind kind, String id, ProcessStarter starter) throws java.io.IOException {
    boolean isolated = kind.isolated();
    RunnerFiles files = RunnerFiles.create(runners, id, isolated, owner(), kind.servicePipes());
    RunCgroups.Group group = null;
    RunnerChannel channel = null;
    try {
      if (isolated) {
        for (Path lake : lakeRoots) {
          files.makeDirsInRoot(lake);
        }
      }
      if (isolated && cgroups.isPresent()) {
        group = cgroups.get().create(id, warm);
      }
      channel = starter.channel(this, files);
      RunnerLog log = new RunnerLog();
      Runner runner =
          new Runner(
              kind.name(),
              files,
              channel,
              log,
              group,
              kind.addressSpaceBackstop(),
              maxFileBytes,
              threads);
      runner.started(starter.start(files, group, log, channel));
      return runner;
    } catch (java.io.IOException | RuntimeException e) {
      if (channel != null) {
        channel.close();
      }
      if (group != null) {
        group.killAndRemove();
      }
      files.delete();
      throw e;
    }
  }
}
