package dev.floe.catalog;

import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.iceberg.ContentFile;
import org.apache.iceberg.ManifestFile;
import org.apache.iceberg.ManifestFiles;
import org.apache.iceberg.ManifestReader;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.TableMetadata;
import org.apache.iceberg.io.FileIO;

/**
 * The files a reader of one snapshot opens: its manifest list, its manifests, and the data and
 * delete files they hold. A snapshot never changes, so they are cached by table and snapshot
 * (bounded), and planned once however many runs read it.
 */
@ApplicationScoped
public class SnapshotFiles {
  static final int MAX_SNAPSHOTS = 512;

  private final BoundedCache<String, List<String>> cache = new BoundedCache<>(MAX_SNAPSHOTS);

  public List<String> of(TableMetadata metadata, Snapshot snapshot, FileIO io) {
    return cache.get(
        metadata.uuid() + "@" + snapshot.snapshotId(), () -> plan(metadata, snapshot, io));
  }

  private static List<String> plan(TableMetadata metadata, Snapshot snapshot, FileIO io) {
    List<String> files = new ArrayList<>();
    files.add(snapshot.manifestListLocation());
    for (ManifestFile manifest : snapshot.allManifests(io)) {
      files.add(manifest.path());
      try (ManifestReader<? extends ContentFile<?>> reader = open(manifest, metadata, io)) {
        for (ContentFile<?> file : reader) {
          files.add(file.location());
        }
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot read manifest " + manifest.path(), e);
      }
    }
    return List.copyOf(files);
  }

  private static ManifestReader<? extends ContentFile<?>> open(
      ManifestFile manifest, TableMetadata metadata, FileIO io) {
    return switch (manifest.content()) {
      case DATA -> ManifestFiles.read(manifest, io, metadata.specsById());
      case DELETES -> ManifestFiles.readDeleteManifest(manifest, io, metadata.specsById());
    };
  }
}
