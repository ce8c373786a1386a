package dev.floe.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DataFiles;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableMetadata;
import org.apache.iceberg.TableMetadataParser;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.inmemory.InMemoryCatalog;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A granted table's metadata shows the one granted snapshot and nothing of the table's history. */
class GrantedMetadataTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private TableMetadata metadata;
  private Snapshot first;
  private Snapshot second;

  @BeforeEach
  void threeCommits() {
    InMemoryCatalog catalog = new InMemoryCatalog();
    catalog.initialize("test", Map.of());
    catalog.createNamespace(Namespace.of("ns"));
    Table table =
        catalog.createTable(
            TableIdentifier.of("ns", "t"),
            new Schema(Types.NestedField.optional(1, "a", Types.LongType.get())));
    for (int i = 0; i < 3; i++) {
      table.newAppend().appendFile(file(i)).commit();
    }
    metadata = ((HasTableOperations) table).operations().current();
    first = metadata.snapshots().get(0);
    second = metadata.snapshots().get(1);
  }

  @Test
  void onlyTheGrantedSnapshotIsLeft() throws Exception {
    GrantedMetadata granted = new GrantedMetadata(JSON);
    JsonNode cut = JSON.readTree(granted.of(metadata, second));

    assertEquals(1, cut.path("snapshots").size());
    JsonNode alone = cut.path("snapshots").get(0);
    assertEquals(second.snapshotId(), alone.path("snapshot-id").asLong());
    assertFalse(alone.has("parent-snapshot-id"), "the parent would name an ungranted snapshot");
    assertEquals(second.snapshotId(), cut.path("current-snapshot-id").asLong());
    assertEquals(1, cut.path("snapshot-log").size());
    assertEquals(0, cut.path("metadata-log").size());
    assertEquals(second.snapshotId(), cut.path("refs").path("main").path("snapshot-id").asLong());
    // Still Iceberg metadata a reader can open, at the granted snapshot.
    TableMetadata parsed = TableMetadataParser.fromJson(cut.toString());
    assertEquals(second.snapshotId(), parsed.currentSnapshot().snapshotId());
    assertEquals(metadata.schema().asStruct(), parsed.schema().asStruct());
    // The table's own metadata is untouched.
    assertEquals(3, metadata.snapshots().size());
  }

  @Test
  void aTableWithoutSnapshotsHasNone() throws Exception {
    JsonNode cut = JSON.readTree(new GrantedMetadata(JSON).of(metadata, null));
    assertEquals(0, cut.path("snapshots").size());
    assertEquals(-1, cut.path("current-snapshot-id").asLong());
    assertEquals(0, cut.path("refs").size());
  }

  @Test
  void eachSnapshotHasItsOwnFileAndIsCutOnce() {
    GrantedMetadata granted = new GrantedMetadata(JSON);
    String a = GrantedMetadata.location(metadata, first);
    String b = GrantedMetadata.location(metadata, second);
    assertFalse(a.equals(b));
    assertTrue(
        a.contains("/floe-grant-") && a.endsWith("-" + first.snapshotId() + ".metadata.json"));
    assertSame(granted.of(metadata, first), granted.of(metadata, first));
  }

  private static DataFile file(int i) {
    return DataFiles.builder(PartitionSpec.unpartitioned())
        .withPath("/lake/ns/t/data/" + i + ".parquet")
        .withFileSizeInBytes(10)
        .withRecordCount(1)
        .build();
  }
}
