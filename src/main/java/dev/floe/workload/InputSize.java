package dev.floe.workload;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Collection;
import java.util.Map;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.io.CloseableIterable;

/**
 * How much a run's bound tables hold, for {@code "distributed": "auto"}: each snapshot's data
 * files, from its summary when Iceberg wrote one, else by planning a scan of it.
 */
final class InputSize {
  private InputSize() {}

  static long of(Collection<RunAccess.Resolved> tables) {
    long total = 0;
    for (RunAccess.Resolved resolved : tables) {
      if (resolved.snapshotId() == null) {
        continue; // an empty table
      }
      Snapshot snapshot = resolved.metadata().snapshot(resolved.snapshotId());
      Map<String, String> summary = snapshot == null ? null : snapshot.summary();
      String size = summary == null ? null : summary.get("total-files-size");
      total += size != null ? Long.parseLong(size) : planned(resolved);
    }
    return total;
  }

  private static long planned(RunAccess.Resolved resolved) {
    long bytes = 0;
    try (CloseableIterable<FileScanTask> tasks =
        resolved.table().newScan().useSnapshot(resolved.snapshotId()).planFiles()) {
      for (FileScanTask task : tasks) {
        bytes += task.file().fileSizeInBytes();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot plan a scan of " + resolved.name(), e);
    }
    return bytes;
  }
}
