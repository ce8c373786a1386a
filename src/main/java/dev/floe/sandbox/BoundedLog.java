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

  @Override
  public synchronized String toString() {
    StringBuilder out = new StringBuilder(head.toString(StandardCharsets.UTF_8));
    long dropped = total - head.size() - tailSize;
    if (dropped > 0) {
      out.append("\n[floe: ").append(dropped).append(" bytes of output truncated]\n");
    }
    byte[] ordered = new byte[tailSize];
    for (int i = 0; i < tailSize; i++) {
      ordered[i] = tail[(tailStart + i) % tailLimit];
    }
    return out.append(new String(ordered, StandardCharsets.UTF_8)).toString();
  }
}
