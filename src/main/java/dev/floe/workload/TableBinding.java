package dev.floe.workload;

import dev.floe.catalog.TableName;

/** An alias bound to a table, optionally at a snapshot (time travel). */
public record TableBinding(String alias, TableName table, Long snapshotId) {}
