package dev.floe.sandbox;

import java.util.ArrayList;
import java.util.List;

/**
 * No isolation: the harness runs as the service's user with a cleared environment and resource
 * limits only. For development on machines without bubblewrap; announced loudly at start-up.
 */
public final class UnsafeProcessRunner implements Runner {
  private final HarnessCommand harness;

  public UnsafeProcessRunner(HarnessCommand harness) {
    this.harness = harness;
  }

  @Override
  public String name() {
    return "unsafe-process";
  }

  @Override
  public boolean isolated() {
    return false;
  }

  @Override
  public RunHandle start(RunSpec spec) {
    List<String> command = new ArrayList<>(harness.environment(spec, spec.runDir().toString()));
    command.addAll(harness.resourceLimits(spec));
    command.addAll(harness.python(spec));
    return ProcessSupervisor.start(
        spec.runId(), command, spec.runDir(), spec.timeout(), spec.log());
  }
}
