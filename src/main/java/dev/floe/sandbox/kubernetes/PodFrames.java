package dev.floe.sandbox.kubernetes;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;

/**
 * The hand-over channel's framing between the service and a run pod's relay ({@code
 * floe_runner/pod.py}): a kind byte, a 4-byte big-endian length, that many bytes. The runner's own
 * JSON frames travel as {@link #JSON}; the rest is what a local runner's host files and pipes
 * carry: its log, its output files, its exit, and (towards the pod) the files of the tables it was
 * granted.
 */
public final class PodFrames {
  private PodFrames() {}

  /** Authentication: the service's challenge, the pod's proof. */
  public static final byte AUTH = 'A';

  /** A frame of the runner's channel (hello, job, requests, answers): one JSON object. */
  public static final byte JSON = 'J';

  /** Bytes of the runner's stdout/stderr. */
  public static final byte LOG = 'L';

  /** Bytes of an output: the first byte is its index in {@code RunnerFiles.OUTPUTS}. */
  public static final byte OUTPUT = 'O';

  /** An output ended: one byte, its index. */
  public static final byte OUTPUT_END = 'E';

  /** The runner's process ended: JSON {@code {"code": n}}; the last frame from a pod. */
  public static final byte EXIT = 'X';

  /** A granted file follows (towards the pod): JSON {@code {"path": p, "size": n}}. */
  public static final byte FILE = 'F';

  /** Bytes of that file; an empty one ends it. */
  public static final byte DATA = 'D';

  /** The largest frame either side sends (data in chunks of this). */
  public static final int MAX_FRAME = 1 << 20;

  /** One frame. */
  public record Frame(byte kind, byte[] payload) {}

  /** Writes one frame; callers that share the stream hold its lock. */
  public static void write(OutputStream out, byte kind, byte[] payload, int offset, int length)
      throws IOException {
    if (length > MAX_FRAME) {
      throw new IOException("a frame of " + length + " bytes is over the limit");
    }
    out.write(ByteBuffer.allocate(5).put(kind).putInt(length).array());
    out.write(payload, offset, length);
  }

  public static void write(OutputStream out, byte kind, byte[] payload) throws IOException {
    write(out, kind, payload, 0, payload.length);
  }

  /** The next frame, or null at the end of the stream between frames. */
  public static Frame read(DataInputStream in, int limit) throws IOException {
    int kind = in.read();
    if (kind < 0) {
      return null;
    }
    int length;
    try {
      length = in.readInt();
    } catch (EOFException cut) {
      throw new EOFException("the pod closed its channel in the middle of a frame");
    }
    if (length < 0 || length > limit) {
      throw new IOException("the pod sent a frame of " + length + " bytes");
    }
    byte[] payload = new byte[length];
    in.readFully(payload);
    return new Frame((byte) kind, payload);
  }
}
