package dev.floe.sandbox;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A run's stdout/stderr: keeps the first and the last {@code limit/2} bytes, counts what it drops,
 * and renders a marker where it dropped it. Memory stays bounded whatever the run prints.
 */
public final class BoundedLog extends OutputStream {
  private final int headLimit;
  private final int tailLimit;
  private final ByteArrayOutputStream head = new ByteArrayOutputStream();
  private final byte[] tail;
  private int tailStart;
  private int tailSize;
  private long total;

  public BoundedLog(int limit) {
    this.headLimit = Math.max(0, limit / 2);
    this.tailLimit = Math.max(0, limit - headLimit);
    this.tail = new byte[tailLimit];
  }

  @Override
  public synchronized void write(int b) {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public synchronized void write(byte[] b, int off, int len) {
    total += len;
    int toHead = Math.min(len, headLimit - head.size());
    if (toHead > 0) {
      head.write(b, off, toHead);
      off += toHead;
      len -= toHead;
    }
    for (int i = 0; i < len && tailLimit > 0; i++) {
      tail[(tailStart + tailSize) % tailLimit] = b[off + i];
      if (tailSize < tailLimit) {
        tailSize++;
      } else {
        tailStart = (tailStart + 1) % tailLimit;
      }
    }
  }

  public synchronized long totalBytes() {
    return total;
  }

  public synchronized boolean truncated() {
    return total > (long) head.size() + tailSize;
  }

  /** What the log holds now, detached from it. */
  public synchronized Snapshot snapshot() {
    byte[] ordered = new byte[tailSize];
    for (int i = 0; i < tailSize; i++) {
      ordered[i] = tail[(tailStart + i) % tailLimit];
    }
    return new Snapshot(head.toByteArray(), total - head.size() - tailSize, ordered);
  }

  /** The log from byte {@code after} on, with a marker where bytes were dropped. */
  public Slice since(long after) {
    return snapshot().since(after);
  }

  @Override
  public String toString() {
    return snapshot().text();
  }

  /** Text since an offset, and the offset to ask from next time. */
  public record Slice(String text, long next) {}

  /**
   * A log as kept after its run: the first bytes, how many were dropped, the last bytes. Offsets
   * count every byte the run printed, so a reader polling with {@code since} never sees a byte
   * twice.
   */
  public record Snapshot(byte[] head, long dropped, byte[] tail) {
    public static final Snapshot EMPTY = new Snapshot(new byte[0], 0, new byte[0]);

    public long total() {
      return head.length + dropped + tail.length;
    }

    public String text() {
      return since(0).text();
    }

    public Slice since(long after) {
      long from = Math.max(0, Math.min(after, total()));
      java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
      if (from < head.length) {
        out.write(head, (int) from, head.length - (int) from);
        from = head.length;
      }
      long tailFrom = head.length + dropped;
      if (from < tailFrom) {
        byte[] marker =
            ("\n[floe: " + (tailFrom - from) + " bytes of output truncated]\n")
                .getBytes(StandardCharsets.UTF_8);
        out.write(marker, 0, marker.length);
        from = tailFrom;
      }
      int skip = (int) (from - tailFrom);
      out.write(tail, skip, tail.length - skip);
      byte[] bytes = out.toByteArray();
      int whole = completeUtf8Length(bytes);
      return new Slice(
          new String(bytes, 0, whole, StandardCharsets.UTF_8), total() - (bytes.length - whole));
    }
  }

  /** Length of the prefix that does not end inside a UTF-8 sequence (the rest comes next time). */
  private static int completeUtf8Length(byte[] bytes) {
    int end = bytes.length;
    for (int back = 1; back <= Math.min(3, end); back++) {
      int b = bytes[end - back] & 0xff;
      if ((b & 0xc0) == 0x80) {
        continue; // a continuation byte: look further back for the lead byte
      }
      int needed = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
      return needed > back ? end - back : end;
    }
    return end;
  }
}
