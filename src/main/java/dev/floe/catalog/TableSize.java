package dev.floe.catalog;

import java.util.Map;

/** A table's size from its manifests: data files, bytes and records, for one snapshot. */
public record TableSize(
    Long snapshotId,
    long sizeBytes,
    long recordCount,
    int dataFileCount,
    Map<String, String> partitionFilters) {}
