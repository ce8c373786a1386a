package dev.floe.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import dev.floe.sandbox.kubernetes.HandoverServer;
import dev.floe.sandbox.kubernetes.PodFrames;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * The service's end of a run pod's channel: one authenticated TCP connection (from {@link
 * HandoverServer}) that carries what a local runner's socket, pipes and files carry. The runner's
 * JSON frames come and go as on a Unix socket; its log goes to its {@link RunnerLog}; its output
 * files arrive in its directory on this host, where the run's result is then read exactly as a
 * local runner's (a result stream without its end marker is incomplete either way); its exit code
 * ends the connection. Towards the pod, every message is preceded by the files granted to the run
 * since the last one (what a local runner sees linked in its root), so a pod holds the files of its
 * grants and nothing else.
 *
 * <p>Nothing the pod sends can hold this side: the runner's requests wait in a short queue (a pod
 * that floods it waits for its answers, through TCP), a result pipe is written only for a job that
 * streams its result, and ending the connection (a kill) completes the exit at once.
 */
final class PodChannel implements RunnerChannel {
  private static final Logger LOG = Logger.getLogger(PodChannel.class);
  private static final JsonNode END = NullNode.getInstance();

  /** The runner's requests waiting for their answers: one at a time is all a harness sends. */
  private static final int QUEUED_REQUESTS = 8;

  /** The longest one message towards the pod (with its grants' files) may take to send. */
  static final Duration SEND_DEADLINE = Duration.ofMinutes(5);

  private final RunnerFiles files;
  private final HandoverServer.Expected expected;
  private final HandoverServer handover;
  private final ObjectMapper json;
  private final Executor threads;
  private final ScheduledExecutorService timers;
  private final Runnable onClose;
  private final BlockingQueue<JsonNode> fromRunner = new LinkedBlockingQueue<>(QUEUED_REQUESTS);
  private final CompletableFuture<Integer> exit = new CompletableFuture<>();
  private final CompletableFuture<Void> output = new CompletableFuture<>();
  private final PodGrants granted;
  private final PodOutputs outputs;
  private final Object sending = new Object();
  private volatile RunnerLog log;
  private volatile HandoverServer.Connection connection;
  private volatile boolean closed;

  PodChannel(
      RunnerFiles files,
      HandoverServer handover,
      HandoverServer.Expected expected,
      ObjectMapper json,
      Executor threads,
      ScheduledExecutorService timers,
      long maxFileBytes,
      Runnable onClose) {
    this.files = files;
    this.handover = handover;
    this.expected = expected;
    this.json = json;
    this.threads = threads;
    this.timers = timers;
    this.granted = new PodGrants(files, json);
    this.outputs = new PodOutputs(files, maxFileBytes);
    this.onClose = onClose;
    // However the pod connects, a channel closed first closes that connection too.
    expected
        .connection()
        .thenAccept(
            c -> {
              if (closed) {
                closeSocket(c);
              }
            });
  }

  /** The one-time secret the pod proves it holds when it connects. */
  String secret() {
    return expected.secret();
  }

  /** Where the runner's output goes once connected. */
  void logTo(RunnerLog runnerLog) {
    this.log = runnerLog;
  }

  /**
   * Completes with the pod's exit code; {@link RunnerExit#LOST} when its connection ended first.
   */
  CompletableFuture<Integer> exit() {
    return exit;
  }

  /** Completes when the pod's output ended (its connection closed). */
  CompletableFuture<Void> output() {
    return output;
  }

  @Override
  public JsonNode accept() throws IOException {
    HandoverServer.Connection c;
    try {
      c = expected.connection().get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted waiting for the pod of runner " + files.id(), e);
    } catch (ExecutionException e) {
      throw new IOException("the pod of runner " + files.id() + " never connected", e.getCause());
    }
    connection = c;
    if (closed) {
      closeSocket(c);
      throw new IOException("runner " + files.id() + " was discarded");
    }
    threads.execute(this::demultiplex);
    return RunnerChannel.hello(receive());
  }

  @Override
  public void send(Object message) throws IOException {
    HandoverServer.Connection c = connection;
    if (c == null) {
      throw new IOException("the pod of runner " + files.id() + " is not connected");
    }
    if (message instanceof RunJob job) {
      outputs.expectPipe(job.resultPath().endsWith("/" + RunnerFiles.RESULT_PIPE));
    }
    byte[] body = json.writeValueAsBytes(message);
    // A pod that stops reading cannot hold the run: past the deadline its connection ends.
    ScheduledFuture<?> watchdog =
        timers.schedule(this::closeConnection, SEND_DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
    try {
      synchronized (sending) {
        granted.push(c.out());
        PodFrames.write(c.out(), PodFrames.JSON, body);
        c.out().flush();
      }
    } finally {
      watchdog.cancel(false);
    }
  }

  @Override
  public JsonNode receive() throws IOException {
    try {
      JsonNode next = fromRunner.take();
      if (next == END) {
        fromRunner.offer(END); // every later call sees the end too
        return null;
      }
      return next;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted reading the channel of runner " + files.id(), e);
    }
  }

  /** Reads the pod's frames until its connection ends, each to where a local runner's goes. */
  private void demultiplex() {
    HandoverServer.Connection c = connection;
    Integer code = null;
    try {
      for (PodFrames.Frame frame = PodFrames.read(c.in(), PodFrames.MAX_FRAME);
          frame != null;
          frame = PodFrames.read(c.in(), PodFrames.MAX_FRAME)) {
        byte[] p = frame.payload();
        switch (frame.kind()) {
          case PodFrames.JSON -> {
            JsonNode message = json.readTree(p);
            if (message == null || !message.isObject() || p.length > MAX_FROM_RUNNER) {
              throw new IOException("the runner sent a frame that is not a JSON object");
            }
            queue(message);
          }
          case PodFrames.LOG -> {
            RunnerLog target = log;
            if (target != null) {
              target.write(p, 0, p.length);
            }
          }
          case PodFrames.OUTPUT -> outputs.write(p);
          case PodFrames.OUTPUT_END -> outputs.end(p);
          case PodFrames.EXIT -> code = json.readTree(p).path("code").asInt(RunnerExit.LOST);
          default -> throw new IOException("the pod sent a frame of unknown kind " + frame.kind());
        }
      }
    } catch (IOException | RuntimeException e) {
      if (!closed) {
        LOG.debugf("runner %s: its pod's channel ended: %s", files.id(), e.getMessage());
      }
    } finally {
      outputs.close();
      // The exit first: the serve loop, woken by the end, closes the channel (which would make it
      // lost).
      output.complete(null);
      exit.complete(code == null ? RunnerExit.LOST : code);
      end();
      closeSocket(c);
    }
  }

  /** Queues a runner's request for the serve loop; waits while it is full, unless closed. */
  private void queue(JsonNode message) throws IOException {
    try {
      while (!fromRunner.offer(message, 100, TimeUnit.MILLISECONDS)) {
        if (closed) {
          throw new IOException("runner " + files.id() + " was closed");
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  /** The serve loop's last message: the end (what is still queued is never answered). */
  private void end() {
    while (!fromRunner.offer(END)) {
      fromRunner.poll();
    }
  }

  private static void closeSocket(HandoverServer.Connection c) {
    try {
      c.socket().close();
    } catch (IOException e) {
      // gone already
    }
  }

  /**
   * Ends the connection (the pod is being deleted, or stopped reading): the exit completes as lost
   * at once, and a reader of the pod's frames blocked on the result pipe is let go.
   */
  void closeConnection() {
    HandoverServer.Connection c = connection;
    if (c != null) {
      closeSocket(c);
    }
    if (outputs.pipeOpening()) {
      Fifo.release(files.resultPipe()); // the reader of the pod's frames fails its write and ends
    }
    output.complete(null);
    exit.complete(RunnerExit.LOST);
  }

  @Override
  public void close() {
    closed = true;
    handover.forget(expected);
    closeConnection();
    end();
    onClose.run();
  }
}
