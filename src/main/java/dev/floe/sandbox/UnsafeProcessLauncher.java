package dev.floe.sandbox;

import java.io.IOException;
import java.util.List;

/**
 * No isolation: a runner is a plain process of the service's user with a cleared environment and
 * resource limits only, and it sees the whole host (table grants are not enforced). For development
 * on machines without bubblewrap; announced loudly at start-up.
 */
final class UnsafeProcessLauncher extends StartingLauncher {
  private static final LauncherKind KIND = new LauncherKind("unsafe-process", false, true, false);

  UnsafeProcessLauncher(LaunchSettings settings) {
    super(settings, KIND);
  }

  @Override
  public RunnerProcess start(
      RunnerFiles files, RunCgroups.Group group, RunnerLog log, RunnerChannel channel)
      throws IOException {
    List<String> command =
        ProcessRunners.concat(
            ProcessRunners.environment(files.dir().toString()),
            ProcessRunners.resourceLimits(settings.warm().memoryBytes(), settings.maxFileBytes()));
    command =
        ProcessRunners.concat(
            command, settings.python().launch("runner", files.socket().toString()));
    return ProcessRunners.start(command, files.dir(), log, settings.threads());
  }
}
