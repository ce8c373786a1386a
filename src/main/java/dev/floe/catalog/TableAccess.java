package dev.floe.catalog;

import dev.floe.sandbox.RunJob;
import dev.floe.sandbox.RunnerFiles;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableMetadata;

/**
 * Gives one run read access to one table at one snapshot, and nothing else: the only way a run
 * reaches a table's files. The local implementation links the snapshot's files into the runner's
 * root; an object-store one would hand short-lived credentials scoped to them. Who may read what is
 * decided before this is called.
 */
public interface TableAccess {
  /**
   * @param metadata the table's metadata as the caller resolved it (it names the snapshot)
   * @param snapshotId the snapshot to read; null for a table that has none
   */
  RunJob.Table grant(
      RunnerFiles runner,
      String catalog,
      TableName name,
      Table table,
      TableMetadata metadata,
      Long snapshotId);
}
