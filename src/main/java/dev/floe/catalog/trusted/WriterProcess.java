package dev.floe.catalog.trusted;

import dev.floe.sandbox.PythonRuntime;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * One running trusted writer: {@code env -i python -I -B floe_trusted_launch.py}, length-prefixed
 * JSON frames on its stdin/stdout, its stderr line by line into the service log. Not thread-safe:
 * the pool hands it to one caller at a time.
 */
final class WriterProcess {
  private static final Logger LOG = Logger.getLogger(WriterProcess.class);
  static final int MAX_FRAME_BYTES = 16 << 20;
  static final String LAUNCHER = "floe_trusted_launch.py";

  private final Process process;
  private final DataOutputStream in;
  private final DataInputStream out;
  private final ScheduledExecutorService watchdog;
  private final AtomicBoolean timedOut = new AtomicBoolean();

  private WriterProcess(Process process, ScheduledExecutorService watchdog) {
    this.process = process;
    this.in = new DataOutputStream(new BufferedOutputStream(process.getOutputStream()));
    this.out = new DataInputStream(new BufferedInputStream(process.getInputStream()));
    this.watchdog = watchdog;
  }

  /** The command that starts a writer: no service environment, isolated mode, our code only. */
  static List<String> command(Path python, Path harnessDir) {
    List<String> command =
        new java.util.ArrayList<>(
            List.of("env", "-i", "PATH=/usr/local/bin:/usr/bin:/bin", "LANG=C.UTF-8"));
    command.addAll(PythonRuntime.command(python, harnessDir, LAUNCHER));
    return command;
  }

  /** Starts a writer; it is usable once its {@code ready} frame arrived within {@code timeout}. */
  static WriterProcess start(
      List<String> command,
      Path workDir,
      TrustedProtocol protocol,
      Duration timeout,
      ScheduledExecutorService watchdog)
      throws TrustedWriterException {
    Process process;
    try {
      process = new ProcessBuilder(command).directory(workDir.toFile()).start();
    } catch (IOException e) {
      throw new TrustedWriterException(
          TrustedWriterException.Kind.UNAVAILABLE, "cannot start " + command, e);
    }
    PythonRuntime.logStderr(process, LOG, "trusted writer");
    WriterProcess writer = new WriterProcess(process, watchdog);
    TrustedAnswer first;
    try {
      first = writer.receive(protocol, timeout);
    } catch (TrustedWriterException e) {
      throw new TrustedWriterException(
          TrustedWriterException.Kind.UNAVAILABLE,
          "the trusted writer did not start (see its stderr above): " + e.getMessage(),
          e);
    }
    if (!(first instanceof TrustedAnswer.Ready ready)
        || ready.protocol() != Contract.PROTOCOL_VERSION) {
      writer.kill();
      throw new TrustedWriterException(
          TrustedWriterException.Kind.UNAVAILABLE,
          "the trusted writer started with "
              + first
              + " instead of ready (protocol "
              + Contract.PROTOCOL_VERSION
              + ")",
          null);
    }
    return writer;
  }

  long pid() {
    return process.pid();
  }

  boolean alive() {
    return process.isAlive();
  }

  /** Sends one request and waits for its answer; on any failure the process is killed. */
  TrustedAnswer exchange(TrustedRequest request, TrustedProtocol protocol, Duration timeout)
      throws TrustedWriterException {
    byte[] frame = protocol.encode(request);
    try {
      in.writeInt(frame.length);
      in.write(frame);
      in.flush();
    } catch (IOException e) {
      // Nothing reached the writer (it had died): a fresh one may take the request.
      kill();
      throw new TrustedWriterException(
          TrustedWriterException.Kind.NOT_DELIVERED, "the trusted writer is gone", e);
    }
    return receive(protocol, timeout);
  }

  private TrustedAnswer receive(TrustedProtocol protocol, Duration timeout)
      throws TrustedWriterException {
    var alarm =
        watchdog.schedule(
            () -> {
              timedOut.set(true);
              process.destroyForcibly();
            },
            timeout.toMillis(),
            TimeUnit.MILLISECONDS);
    try {
      int length = out.readInt();
      if (length < 0 || length > MAX_FRAME_BYTES) {
        throw new IOException("a frame of " + length + " bytes");
      }
      byte[] frame = out.readNBytes(length);
      if (frame.length != length) {
        throw new IOException("the stream ended inside a frame");
      }
      return protocol.decodeAnswer(frame);
    } catch (IOException | TrustedProtocol.ContractException e) {
      alarm.cancel(false);
      kill();
      if (timedOut.get()) {
        throw new TrustedWriterException(
            TrustedWriterException.Kind.TIMED_OUT,
            "the trusted writer did not answer within " + timeout + "; it was killed",
            e);
      }
      throw new TrustedWriterException(
          TrustedWriterException.Kind.DIED,
          "the trusted writer broke off (exit "
              + exitCode()
              + "): "
              + (e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName()),
          e);
    } finally {
      alarm.cancel(false);
    }
  }

  /** Asks the writer to finish (its stdin closes), then kills it if it has not within a second. */
  void stop() {
    try {
      in.close();
      if (process.waitFor(1, TimeUnit.SECONDS)) {
        return;
      }
    } catch (IOException e) {
      // Already gone.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    kill();
  }

  /** Kills the writer and waits until it is gone, so it can commit nothing more. */
  void kill() {
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private String exitCode() {
    return process.isAlive() ? "none yet" : String.valueOf(process.exitValue());
  }
}
