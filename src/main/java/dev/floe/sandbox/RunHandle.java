package dev.floe.sandbox;

/** A run handed to a runner: wait for it, or cancel it (every process of it dies). */
public interface RunHandle {
  RunnerExit await() throws InterruptedException;

  void cancel();
}
