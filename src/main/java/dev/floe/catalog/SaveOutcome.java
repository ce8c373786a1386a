package dev.floe.catalog;

/** What a committed save did. */
public record SaveOutcome(
    TableName table, long rowsWritten, String mode, String snapshotId, boolean created) {}
