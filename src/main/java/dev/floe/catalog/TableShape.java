package dev.floe.catalog;

import java.util.List;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableMetadata;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/**
 * Where a table lives and its columns at one snapshot: what lineage tells about a table read or
 * written.
 *
 * @param location the table's base location, as the catalog records it
 */
public record TableShape(String location, List<Column> columns) {

  /** A column; {@code fields} are a struct's own columns (empty otherwise). */
  public record Column(String name, String type, String doc, List<Column> fields) {}

  /** The table at {@code snapshotId} (null: its current schema). */
  public static TableShape of(TableMetadata metadata, Long snapshotId) {
    Schema schema = metadata.schema();
    Snapshot snapshot = snapshotId == null ? null : metadata.snapshot(snapshotId);
    if (snapshot != null && snapshot.schemaId() != null) {
      schema = metadata.schemasById().getOrDefault(snapshot.schemaId(), schema);
    }
    return new TableShape(metadata.location(), columns(schema.columns()));
  }

  /** The table at {@code snapshotId} (null: its current schema). */
  public static TableShape of(Table table, Long snapshotId) {
    return of(((HasTableOperations) table).operations().current(), snapshotId);
  }

  private static List<Column> columns(List<Types.NestedField> fields) {
    return fields.stream().map(TableShape::column).toList();
  }

  private static Column column(Types.NestedField field) {
    Type type = field.type();
    List<Column> nested = type.isStructType() ? columns(type.asStructType().fields()) : List.of();
    return new Column(
        field.name(),
        type.isNestedType()
            ? type.typeId().name().toLowerCase(java.util.Locale.ROOT)
            : type.toString(),
        field.doc(),
        nested);
  }
}
