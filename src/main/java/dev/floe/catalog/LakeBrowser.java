package dev.floe.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.floe.error.ErrorCode;
import dev.floe.error.FloeException;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.PartitionField;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableMetadataParser;
import org.apache.iceberg.io.CloseableIterable;

/** Read-only views of tables for the browsing endpoints: metadata and sizes from manifests. */
@ApplicationScoped
public class LakeBrowser {
  private static final Pattern SECRET =
      Pattern.compile(
          ".*(secret|password|passwd|token|credential|access-key|private-key|session-key|"
              + "api-key|apikey|auth).*");

  private final LakeLookup lookup;
  private final ObjectMapper mapper;

  public LakeBrowser(LakeLookup lookup, ObjectMapper mapper) {
    this.lookup = lookup;
    this.mapper = mapper;
  }

  /** True for property names that may hold credentials: they are never returned. */
  public static boolean isSecret(String property) {
    return SECRET.matcher(property.toLowerCase(Locale.ROOT)).matches();
  }

  /** The table's current Iceberg metadata JSON, credential properties removed. */
  public JsonNode metadata(CatalogHandle catalog, TableName name, Reach reach) {
    Table table = lookup.load(catalog, name, reach);
    if (!(table instanceof HasTableOperations ops)) {
      throw new FloeException(
          ErrorCode.INTERNAL, "Cannot read the metadata of '" + name + "' from this catalog.");
    }
    try {
      ObjectNode json =
          (ObjectNode) mapper.readTree(TableMetadataParser.toJson(ops.operations().current()));
      JsonNode props = json.get("properties");
      if (props instanceof ObjectNode p) {
        for (Iterator<String> it = p.fieldNames(); it.hasNext(); ) {
          if (isSecret(it.next())) {
            it.remove();
          }
        }
      }
      return json;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Bytes, records and data files of a snapshot (default: current), optionally only of the
   * partitions whose fields equal the given values, computed from manifests alone.
   */
  public TableSize size(
      CatalogHandle catalog,
      TableName name,
      Long snapshotId,
      Map<String, String> partitions,
      Reach reach) {
    Table table = lookup.load(catalog, name, reach);
    Snapshot snapshot = snapshotId == null ? table.currentSnapshot() : table.snapshot(snapshotId);
    if (snapshotId != null && snapshot == null) {
      throw new FloeException(
          ErrorCode.TABLE_NOT_FOUND,
          "Table '"
              + name
              + "' has no snapshot "
              + snapshotId
              + "; omit snapshotId for the current one, or pick one from the table's metadata.");
    }
    requirePartitionFields(table, name, partitions);
    if (snapshot == null) {
      return new TableSize(null, 0, 0, 0, partitions);
    }
    long bytes = 0;
    long records = 0;
    int files = 0;
    try (CloseableIterable<FileScanTask> tasks =
        table.newScan().useSnapshot(snapshot.snapshotId()).planFiles()) {
      for (FileScanTask task : tasks) {
        DataFile file = task.file();
        if (!partitions.isEmpty() && !matches(table.specs().get(file.specId()), file, partitions)) {
          continue;
        }
        bytes += file.fileSizeInBytes();
        records += file.recordCount();
        files++;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (RuntimeException e) {
      // A manifest list or manifest that is gone: the table's history cannot be read.
      throw lookup.unreadable(catalog, name, e);
    }
    return new TableSize(snapshot.snapshotId(), bytes, records, files, partitions);
  }

  private static void requirePartitionFields(
      Table table, TableName name, Map<String, String> partitions) {
    Map<String, Boolean> known = new LinkedHashMap<>();
    for (PartitionSpec spec : table.specs().values()) {
      for (PartitionField f : spec.fields()) {
        known.put(f.name(), true);
      }
    }
    for (String key : partitions.keySet()) {
      if (!known.containsKey(key)) {
        throw FloeException.invalid(
            "Cannot filter '"
                + name
                + "' by partition '"
                + key
                + "': its partition fields are "
                + (known.isEmpty()
                    ? "none (it is not partitioned)"
                    : String.join(", ", known.keySet()))
                + ".");
      }
    }
  }

  /** Compares in the partition's human form (as in its path), e.g. ts_day=2024-01-01. */
  private static boolean matches(PartitionSpec spec, DataFile file, Map<String, String> wanted) {
    Map<String, String> values = new HashMap<>();
    if (spec.isPartitioned()) {
      for (String part : spec.partitionToPath(file.partition()).split("/")) {
        int eq = part.indexOf('=');
        values.put(
            URLDecoder.decode(part.substring(0, eq), StandardCharsets.UTF_8),
            URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    return wanted.entrySet().stream().allMatch(e -> e.getValue().equals(values.get(e.getKey())));
  }
}
