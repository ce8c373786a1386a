package dev.floe.sandbox;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * A run pod's output files as they arrive over its channel, written where a local runner writes
 * them (its directory on this host): each file stops at the file-size limit as a local run's does;
 * the result pipe has none, and is written only for a job that streams its result.
 */
final class PodOutputs implements AutoCloseable {
  private static final int PIPE = RunnerFiles.OUTPUTS.indexOf(RunnerFiles.RESULT_PIPE);

  private final RunnerFiles files;
  private final long maxFileBytes;
  private final OutputStream[] open = new OutputStream[RunnerFiles.OUTPUTS.size()];
  private final long[] written = new long[open.length];
  private volatile boolean pipeExpected;
  private volatile boolean pipeOpening;

  PodOutputs(RunnerFiles files, long maxFileBytes) {
    this.files = files;
    this.maxFileBytes = maxFileBytes;
  }

  /** Whether the job handed over streams its result through the pipe. */
  void expectPipe(boolean expected) {
    this.pipeExpected = expected;
  }

  /** Whether the pipe is being opened now: that waits for the run's reader. */
  boolean pipeOpening() {
    return pipeOpening;
  }

  /** An {@code OUTPUT} frame: the output's index, then its next bytes. */
  void write(byte[] payload) throws IOException {
    int index = outputIndex(payload);
    if (index == PIPE && !pipeExpected) {
      return; // nobody reads a pipe this job does not stream to
    }
    long room = index == PIPE ? Long.MAX_VALUE : maxFileBytes - written[index];
    int length = (int) Math.min(payload.length - 1, Math.max(0, room));
    if (length > 0) {
      if (open[index] == null) {
        open[index] = open(index);
      }
      open[index].write(payload, 1, length);
      written[index] += length;
    }
  }

  /** An {@code OUTPUT_END} frame: the output's index; that output is complete. */
  void end(byte[] payload) throws IOException {
    int index = outputIndex(payload);
    closeQuietly(open[index]);
    open[index] = null;
  }

  @Override
  public void close() {
    for (OutputStream o : open) {
      closeQuietly(o);
    }
  }

  private static int outputIndex(byte[] payload) throws IOException {
    if (payload.length < 1 || payload[0] < 0 || payload[0] >= RunnerFiles.OUTPUTS.size()) {
      throw new IOException("the pod named an output that does not exist");
    }
    return payload[0];
  }

  private OutputStream open(int index) throws IOException {
    // The result pipe is a FIFO: opening it waits for the run's reader.
    pipeOpening = index == PIPE;
    try {
      return new FileOutputStream(files.outDir().resolve(RunnerFiles.OUTPUTS.get(index)).toFile());
    } finally {
      pipeOpening = false;
    }
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
}
