package dev.floe.workload;

import dev.floe.catalog.CatalogHandle;
import dev.floe.catalog.IcebergCommitter;
import dev.floe.catalog.SaveOutcome;
import dev.floe.error.ErrorCode;
import dev.floe.error.FloeException;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.file.Path;

/**
 * A save's checks and its commit: the destination must be the caller's to write when the run is
 * accepted and again when its result is committed by the trusted writer.
 */
@ApplicationScoped
public class SaveStep {
  private final IcebergCommitter committer;

  public SaveStep(IcebergCommitter committer) {
    this.committer = committer;
  }

  /**
   * Commits a finished run's result, after checking once more that a grant removed or a key revoked
   * while the run ran did not take the destination from its caller.
   *
   * @param logs the run's log, kept with a refusal
   */
  SaveOutcome commit(CatalogHandle catalog, Workload workload, Path result, String logs) {
    Destination destination = workload.destination();
    try {
      requireWritable(catalog, workload);
      FloeException revoked = workload.caller().refusal();
      if (revoked != null) {
        throw revoked;
      }
      return committer.commit(
          catalog, destination.table(), result, destination.saveMode(), destination.schemaMode());
    } catch (FloeException refused) {
      throw new RunFailedException(refused, logs);
    }
  }

  /** Refuses a destination no write grant of the caller covers; a run without one passes. */
  static void requireWritable(CatalogHandle catalog, Workload workload) {
    Destination destination = workload.destination();
    if (destination == null
        || workload.caller().reach().writes(catalog.name(), destination.table())) {
      return;
    }
    String scope = catalog.name() + "." + destination.table().namespace();
    throw new FloeException(
        ErrorCode.FORBIDDEN,
        "You ("
            + workload.principal()
            + ") may not save into '"
            + catalog.name()
            + "."
            + destination.table()
            + "': no write grant covers it; ask an admin for one (floe grants add "
            + workload.principal()
            + " write "
            + scope
            + ").");
  }
}
