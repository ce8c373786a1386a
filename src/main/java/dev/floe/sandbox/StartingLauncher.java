package dev.floe.sandbox;

import java.io.IOException;

/**
 * A launcher that starts each runner as a process: every kind's runner gets its files, cgroups and
 * channel from {@link LaunchSettings#start} first; a kind differs only in how it starts the
 * process.
 */
abstract class StartingLauncher implements RunnerLauncher, LaunchSettings.ProcessStarter {
  protected final LaunchSettings settings;
  private final LauncherKind kind;

  StartingLauncher(LaunchSettings settings, LauncherKind kind) {
    this.settings = settings;
    this.kind = kind;
  }

  @Override
  public final LauncherKind kind() {
    return kind;
  }

  @Override
  public final Runner launch(String id) throws IOException {
    return settings.start(kind, id, this);
  }
}
