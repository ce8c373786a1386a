package dev.floe.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import dev.floe.sandbox.kubernetes.HandoverServer;
import dev.floe.sandbox.kubernetes.PodFrames;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.stream.Stream;
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
 */
final class PodChannel implements RunnerChannel {
  private static final Logger LOG = Logger.getLogger(PodChannel.class);
  private static final JsonNode END = NullNode.getInstance();

  private final RunnerFiles files;
  private final HandoverServer.Expected expected;
  private final HandoverServer handover;
  private final ObjectMapper json;
  private final Executor threads;
  private final long maxFileBytes;
  private final BlockingQueue<JsonNode> fromRunner = new LinkedBlockingQueue<>();
  private final CompletableFuture<Integer> exit = new CompletableFuture<>();
  private final CompletableFuture<Void> output = new CompletableFuture<>();
  private final Set<Path> pushed = new HashSet<>();
  private final Object sending = new Object();
  private volatile RunnerLog log;
  private volatile HandoverServer.Connection connection;

  PodChannel(
      RunnerFiles files,
      HandoverServer handover,
      HandoverServer.Expected expected,
      ObjectMapper json,
      Executor threads,
      long maxFileBytes) {
    this.files = files;
    this.handover = handover;
    this.expected = expected;
    this.json = json;
    this.threads = threads;
    this.maxFileBytes = maxFileBytes;
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
    try {
      connection = expected.connection().get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted waiting for the pod of runner " + files.id(), e);
    } catch (ExecutionException e) {
      throw new IOException("the pod of runner " + files.id() + " never connected", e.getCause());
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
    byte[] body = json.writeValueAsBytes(message);
    synchronized (sending) {
      pushGranted(c.out());
      PodFrames.write(c.out(), PodFrames.JSON, body);
      c.out().flush();
    }
  }

  @Override
  public JsonNode receive() throws IOException {
    try {
      JsonNode next = fromRunner.take();
      if (next == END) {
        fromRunner.add(END); // every later call sees the end too
        return null;
      }
      return next;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted reading the channel of runner " + files.id(), e);
    }
  }

  /** Sends the pod the granted files it does not have yet, at the paths the run sees them. */
  private void pushGranted(OutputStream out) throws IOException {
    if (files.root() == null) {
      return;
    }
    List<Path> granted;
    try (Stream<Path> walk = Files.walk(files.root())) {
      granted =
          walk.filter(p -> Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS))
              .filter(p -> !pushed.contains(p))
              .toList();
    }
    byte[] chunk = new byte[PodFrames.MAX_FRAME];
    for (Path file : granted) {
      String seen = "/" + files.root().relativize(file);
      PodFrames.write(
          out,
          PodFrames.FILE,
          json.writeValueAsBytes(Map.of("path", seen, "size", Files.size(file))));
      try (InputStream in = Files.newInputStream(file)) {
        for (int n = in.read(chunk); n >= 0; n = in.read(chunk)) {
          PodFrames.write(out, PodFrames.DATA, chunk, 0, n);
        }
      }
      PodFrames.write(out, PodFrames.DATA, new byte[0]);
      pushed.add(file);
    }
  }

  /** Reads the pod's frames until its connection ends, each to where a local runner's goes. */
  private void demultiplex() {
    HandoverServer.Connection c = connection;
    Integer code = null;
    List<OutputStream> outputs = new ArrayList<>();
    long[] written = new long[RunnerFiles.OUTPUTS.size()];
    for (int i = 0; i < RunnerFiles.OUTPUTS.size(); i++) {
      outputs.add(null);
    }
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
            fromRunner.add(message);
          }
          case PodFrames.LOG -> {
            RunnerLog target = log;
            if (target != null) {
              target.write(p, 0, p.length);
            }
          }
          case PodFrames.OUTPUT -> {
            int index = outputIndex(p);
            long room = maxFileBytes - written[index];
            int length = (int) Math.min(p.length - 1, Math.max(0, room));
            if (length > 0) {
              if (outputs.get(index) == null) {
                outputs.set(index, open(index));
              }
              outputs.get(index).write(p, 1, length);
              written[index] += length;
            }
          }
          case PodFrames.OUTPUT_END -> {
            int index = outputIndex(p);
            OutputStream done = outputs.set(index, null);
            if (done != null) {
              done.close();
            }
          }
          case PodFrames.EXIT -> code = json.readTree(p).path("code").asInt(-1);
          default -> throw new IOException("the pod sent a frame of unknown kind " + frame.kind());
        }
      }
    } catch (IOException | RuntimeException e) {
      if (!exit.isDone()) {
        LOG.debugf("runner %s: its pod's channel ended: %s", files.id(), e.getMessage());
      }
    } finally {
      for (OutputStream o : outputs) {
        closeQuietly(o);
      }
      fromRunner.add(END);
      closeConnection();
      output.complete(null);
      exit.complete(code == null ? RunnerExit.LOST : code);
    }
  }

  private static int outputIndex(byte[] payload) throws IOException {
    if (payload.length < 1 || payload[0] < 0 || payload[0] >= RunnerFiles.OUTPUTS.size()) {
      throw new IOException("the pod named an output that does not exist");
    }
    return payload[0];
  }

  private OutputStream open(int index) throws IOException {
    // The result pipe is a FIFO that the run's reader holds open; the others are plain files.
    return new FileOutputStream(files.outDir().resolve(RunnerFiles.OUTPUTS.get(index)).toFile());
  }

  private static void closeQuietly(OutputStream o) {
    if (o == null) {
      return;
    }
    try {
      o.close();
    } catch (IOException e) {
      // the reader went away
    }
  }

  /** Ends the connection (the pod is being deleted): the exit completes as lost. */
  void closeConnection() {
    HandoverServer.Connection c = connection;
    if (c != null) {
      try {
        c.socket().close();
      } catch (IOException e) {
        // gone already
      }
    }
  }

  @Override
  public void close() {
    handover.forget(expected);
    closeConnection();
    if (connection == null) {
      fromRunner.add(END);
      output.complete(null);
      exit.complete(RunnerExit.LOST);
    }
  }
}
