package dev.floe.workload;

import com.fasterxml.jackson.annotation.JsonIgnore;
import dev.floe.catalog.TableShape;

/**
 * A table a run was given, at the snapshot it read ({@code null}: the table had none).
 *
 * @param shape where it lives and its columns at that snapshot, when known (lineage tells them; the
 *     audit trail keeps only the name and the snapshot)
 */
public record TableRead(String table, String snapshotId, @JsonIgnore TableShape shape) {

  public TableRead(String table, String snapshotId) {
    this(table, snapshotId, null);
  }
}
