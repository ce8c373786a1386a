package dev.floe.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.TableMetadata;
import org.apache.iceberg.TableMetadataParser;

/**
 * The metadata file a run reads a granted table by: the table's own, cut down to the one snapshot
 * granted (its schemas, specs and properties stay; other snapshots, their logs and statistics go).
 * A run then learns nothing of the table's history and finds no path to a file it was not given,
 * and parses a small file however long the table's history is. Cached by metadata file and snapshot
 * (bounded): neither ever changes.
 */
@ApplicationScoped
public class GrantedMetadata {
  static final int MAX_KEPT = 1024;

  private final ObjectMapper json;
  private final BoundedCache<String, byte[]> kept = new BoundedCache<>(MAX_KEPT);

  public GrantedMetadata(ObjectMapper json) {
    this.json = json;
  }

  /** Where the run finds it: beside the table's metadata files, a name no writer uses. */
  public static String location(TableMetadata metadata, Snapshot snapshot) {
    String file = metadata.metadataFileLocation();
    String dir = file.substring(0, file.lastIndexOf('/'));
    String name = file.substring(file.lastIndexOf('/') + 1).replace(".metadata.json", "");
    return dir
        + "/floe-grant-"
        + name
        + "-"
        + (snapshot == null ? "none" : Long.toString(snapshot.snapshotId()))
        + ".metadata.json";
  }

  /** The cut-down metadata, as JSON. */
  public byte[] of(TableMetadata metadata, Snapshot snapshot) {
    return kept.get(location(metadata, snapshot), () -> cut(metadata, snapshot));
  }

  private byte[] cut(TableMetadata metadata, Snapshot snapshot) {
    try {
      ObjectNode tree = (ObjectNode) json.readTree(TableMetadataParser.toJson(metadata));
      JsonNode all = tree.path("snapshots");
      ArrayNode snapshots = tree.putArray("snapshots");
      ArrayNode log = tree.putArray("snapshot-log");
      ObjectNode refs = tree.putObject("refs");
      tree.putArray("metadata-log");
      if (snapshot == null) {
        tree.put("current-snapshot-id", -1);
      } else {
        for (JsonNode s : all) {
          if (s.path("snapshot-id").asLong() == snapshot.snapshotId()) {
            ((ObjectNode) s).remove("parent-snapshot-id");
            snapshots.add(s);
          }
        }
        tree.put("current-snapshot-id", snapshot.snapshotId());
        log.addObject()
            .put("timestamp-ms", snapshot.timestampMillis())
            .put("snapshot-id", snapshot.snapshotId());
        refs.putObject("main").put("snapshot-id", snapshot.snapshotId()).put("type", "branch");
      }
      keepOnly(tree, "statistics", snapshot);
      keepOnly(tree, "partition-statistics", snapshot);
      return json.writeValueAsBytes(tree);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot cut the metadata of a granted table", e);
    }
  }

  private static void keepOnly(ObjectNode tree, String field, Snapshot snapshot) {
    JsonNode all = tree.path(field);
    if (!all.isArray()) {
      return;
    }
    ArrayNode kept = tree.putArray(field);
    for (JsonNode entry : all) {
      if (snapshot != null && entry.path("snapshot-id").asLong() == snapshot.snapshotId()) {
        kept.add(entry);
      }
    }
  }
}
