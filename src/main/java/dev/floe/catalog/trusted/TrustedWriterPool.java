package dev.floe.catalog.trusted;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import org.jboss.logging.Logger;

/**
 * A small pool of long-lived trusted writers, so saves pay no interpreter start: at most {@code
 * size} writers, each serving one request at a time, started on first use. A writer that died, hung
 * (no answer within the request's timeout) or broke the protocol is killed and replaced by the next
 * request; {@link #close} stops them all.
 */
public class TrustedWriterPool implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(TrustedWriterPool.class);

  /**
   * How to start a writer.
   *
   * @param python the interpreter; {@code problem} says why there is none usable, else null
   * @param harnessDir where {@code floe_trusted_launch.py} and its package are
   * @param startTimeout how long a writer may take to import everything and say it is ready
   */
  public record Launch(
      Path python, String problem, Path harnessDir, Path workDir, Duration startTimeout) {}

  private final Launch launch;
  private final TrustedProtocol protocol;
  private final Semaphore permits;
  private final ConcurrentLinkedDeque<WriterProcess> idle = new ConcurrentLinkedDeque<>();
  private final Set<WriterProcess> live = ConcurrentHashMap.newKeySet();
  private final ScheduledExecutorService watchdog;
  private volatile boolean closed;

  public TrustedWriterPool(Launch launch, TrustedProtocol protocol, int size) {
    if (size < 1) {
      throw new IllegalArgumentException(
          "a pool of trusted writers needs at least one, not " + size);
    }
    this.launch = launch;
    this.protocol = protocol;
    this.permits = new Semaphore(size, true);
    this.watchdog =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "trusted-writer-watchdog");
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * Sends {@code request} to an idle writer (waiting for one when all are busy) and returns its
   * answer. A writer found dead before the request reached it is replaced and the request sent
   * again; any other failure is thrown, the writer killed.
   */
  public TrustedAnswer ask(TrustedRequest request, Duration timeout)
      throws TrustedWriterException, InterruptedException {
    permits.acquire();
    try {
      for (int tries = 1; ; tries++) {
        WriterProcess writer = take();
        try {
          TrustedAnswer answer = writer.exchange(request, protocol, timeout);
          giveBack(writer);
          return answer;
        } catch (TrustedWriterException e) {
          live.remove(writer);
          LOG.warnf("trusted writer %d lost: %s", writer.pid(), e.getMessage());
          if (e.kind() != TrustedWriterException.Kind.NOT_DELIVERED || tries == 2) {
            throw e;
          }
        }
      }
    } finally {
      permits.release();
    }
  }

  /** Process ids of the running writers (for tests and diagnostics). */
  public List<Long> pids() {
    List<Long> pids = new ArrayList<>();
    live.forEach(w -> pids.add(w.pid()));
    return pids;
  }

  private WriterProcess take() throws TrustedWriterException {
    if (closed) {
      throw new TrustedWriterException(
          TrustedWriterException.Kind.UNAVAILABLE, "the service is shutting down", null);
    }
    for (WriterProcess writer = idle.pollFirst(); writer != null; writer = idle.pollFirst()) {
      if (writer.alive()) {
        return writer;
      }
      live.remove(writer);
      LOG.warnf("trusted writer %d died while idle; starting another", writer.pid());
    }
    if (launch.problem() != null) {
      throw new TrustedWriterException(
          TrustedWriterException.Kind.UNAVAILABLE,
          "the Python environment is not ready: " + launch.problem(),
          null);
    }
    WriterProcess started =
        WriterProcess.start(
            WriterProcess.command(launch.python(), launch.harnessDir()),
            launch.workDir(),
            protocol,
            launch.startTimeout(),
            watchdog);
    live.add(started);
    LOG.infof("trusted writer %d started", started.pid());
    return started;
  }

  private void giveBack(WriterProcess writer) {
    if (closed) {
      live.remove(writer);
      writer.stop();
      return;
    }
    idle.addFirst(writer); // the most recently used first: the others may idle on
  }

  /** Stops every writer (asked to finish, then killed): none outlives the service. */
  @Override
  public void close() {
    closed = true;
    for (WriterProcess writer = idle.pollFirst(); writer != null; writer = idle.pollFirst()) {
      live.remove(writer);
      writer.stop();
    }
    // A writer still busy is killed: its commit is atomic, so the table is as before or after it.
    live.forEach(WriterProcess::kill);
    live.clear();
    watchdog.shutdownNow();
  }
}
