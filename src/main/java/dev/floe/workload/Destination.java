package dev.floe.workload;

import dev.floe.catalog.TableName;

/** Where and how a result is saved. */
public record Destination(TableName table, SaveMode saveMode, SchemaMode schemaMode) {}
