package dev.floe.sandbox;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Runners that are processes the service starts itself (bubblewrap, or unisolated). */
final class ProcessRunners {
  private ProcessRunners() {}

  /** {@code env -i}: a runner sees only these variables, never the service's. */
  static List<String> environment(String home) {
    return List.of(
        "env",
        "-i",
        "PATH=/usr/local/bin:/usr/bin:/bin",
        "HOME=" + home,
        "TMPDIR=" + home,
        "LANG=C.UTF-8");
  }

  /**
   * Kernel limits until the hand-over lowers them to the run's (its CPU time, its address space).
   * With a memory cgroup the address-space limit is only a generous backstop.
   */
  static List<String> resourceLimits(long addressSpaceBytes, long maxFileBytes) {
    return List.of(
        "prlimit",
        "--as=" + addressSpaceBytes,
        "--core=0",
        "--nofile=" + RunJob.OPEN_FILES,
        "--fsize=" + maxFileBytes,
        "--");
  }

  static RunnerProcess start(
      List<String> command,
      java.nio.file.Path dir,
      RunnerLog log,
      java.util.concurrent.Executor threads)
      throws IOException {
    Process process =
        new ProcessBuilder(command)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
            .start();
    CompletableFuture<Void> output = OutputPump.start(process::getInputStream, log, threads);
    return new RunnerProcess() {
      @Override
      public CompletableFuture<Integer> exit() {
        return process.onExit().thenApply(Process::exitValue);
      }

      @Override
      public CompletableFuture<Void> output() {
        return output;
      }

      @Override
      public void kill() {
        killTree(process.toHandle());
      }
    };
  }

  static List<String> concat(List<String> first, List<String> second) {
    List<String> all = new ArrayList<>(first);
    all.addAll(second);
    return all;
  }

  /** SIGKILL to every descendant, then the root; repeated so a fork during the kill is caught. */
  static void killTree(ProcessHandle root) {
    for (int round = 0; round < 5; round++) {
      List<ProcessHandle> tree = root.descendants().toList();
      tree.forEach(ProcessHandle::destroyForcibly);
      root.destroyForcibly();
      if (tree.stream().noneMatch(ProcessHandle::isAlive) && !root.isAlive()) {
        return;
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
