package dev.floe.sandbox;

import java.io.OutputStream;

/**
 * A runner's stdout/stderr. Until its hand-over a runner belongs to no run, so what it prints goes
 * to a small log of its own (shown when it fails to start); from the hand-over on, to the run's.
 */
final class RunnerLog extends OutputStream {
  private final BoundedLog startup = new BoundedLog(8192);
  private volatile OutputStream target = startup;

  void attach(BoundedLog run) {
    target = run;
  }

  String startupOutput() {
    return startup.toString().strip();
  }

  @Override
  public void write(int b) {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) {
    try {
      target.write(b, off, len);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e); // BoundedLog never throws
    }
  }
}
