package dev.floe.workload;

/** A table a run was given, at the snapshot it read ({@code null}: the table had none). */
public record TableRead(String table, String snapshotId) {}
