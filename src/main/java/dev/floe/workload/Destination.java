package dev.floe.workload;

import dev.floe.catalog.TableName;
import dev.floe.catalog.trusted.SaveMode;
import dev.floe.catalog.trusted.SchemaMode;

/** Where and how a result is saved. */
public record Destination(TableName table, SaveMode saveMode, SchemaMode schemaMode) {}
