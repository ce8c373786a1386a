package dev.floe.sandbox;

/** A started run: wait for it, or cancel it (its whole process tree dies). */
public interface RunHandle {
  ProcessResult await() throws InterruptedException;

  void cancel();
}
