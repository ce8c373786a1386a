package dev.floe.sandbox;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jboss.logging.Logger;
import org.zeroturnaround.exec.ProcessExecutor;
import org.zeroturnaround.exec.StartedProcess;

/**
 * Starts one command, pumps its output into a bounded log, enforces the wall-clock limit and kills
 * the whole process tree on timeout or cancel. Runners only decide the command line.
 */
public final class ProcessSupervisor {
  private static final Logger LOG = Logger.getLogger(ProcessSupervisor.class);

  private ProcessSupervisor() {}

  public static RunHandle start(
      String runId, List<String> command, Path workDir, Duration timeout, BoundedLog log) {
    long started = System.nanoTime();
    StartedProcess process;
    try {
      process =
          new ProcessExecutor()
              .command(command)
              .directory(workDir.toFile())
              .redirectOutput(log)
              .redirectError(log)
              .redirectInput(java.io.InputStream.nullInputStream())
              .destroyOnExit()
              .start();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot start " + command.get(0), e);
    }
    return new Handle(runId, process, log, timeout, started);
  }

  private static final class Handle implements RunHandle {
    private final String runId;
    private final StartedProcess process;
    private final BoundedLog log;
    private final Duration timeout;
    private final long started;
    private volatile boolean cancelled;

    Handle(String runId, StartedProcess process, BoundedLog log, Duration timeout, long started) {
      this.runId = runId;
      this.process = process;
      this.log = log;
      this.timeout = timeout;
      this.started = started;
    }

    @Override
    public ProcessResult await() throws InterruptedException {
      Future<org.zeroturnaround.exec.ProcessResult> future = process.getFuture();
      boolean timedOut = false;
      int exit;
      try {
        exit = future.get(timeout.toMillis(), TimeUnit.MILLISECONDS).getExitValue();
      } catch (TimeoutException e) {
        timedOut = true;
        killTree(process.getProcess().toHandle());
        exit = waitForExit();
      } catch (ExecutionException e) {
        LOG.errorf(e, "run %s: the harness process failed to run", runId);
        exit = -1;
      } catch (InterruptedException e) {
        cancel();
        throw e;
      }
      return new ProcessResult(
          exit,
          timedOut,
          cancelled,
          log.toString(),
          log.truncated(),
          Duration.ofNanos(System.nanoTime() - started),
          false,
          false);
    }

    private int waitForExit() throws InterruptedException {
      try {
        return process.getFuture().get(10, TimeUnit.SECONDS).getExitValue();
      } catch (ExecutionException | TimeoutException e) {
        LOG.errorf("run %s: the harness process did not end after SIGKILL", runId);
        return -1;
      }
    }

    @Override
    public void cancel() {
      cancelled = true;
      killTree(process.getProcess().toHandle());
    }
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
