package dev.floe.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.floe.error.ErrorCode;
import dev.floe.error.FloeException;
import dev.floe.sandbox.RunJob;
import dev.floe.sandbox.RunnerFiles;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.iceberg.ManifestContent;
import org.apache.iceberg.ManifestFile;
import org.apache.iceberg.RewriteTablePathUtil;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableMetadata;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.io.InputFile;
import org.apache.iceberg.io.OutputFile;

/**
 * Table access for tables whose files are in an object store (s3://, gs://, abfs://…), for runners
 * on this host: the trusted side, with the catalog's own FileIO and credentials, copies the granted
 * snapshot's data files into a local cache ({@code floe.home/object-cache/<scheme>/<bucket>/<key>})
 * and rewrites its manifest list and manifests there to point at those copies (Iceberg's {@link
 * RewriteTablePathUtil}); the run then gets them linked into its root exactly as a local table's
 * files, with a cut-down metadata file whose paths are local. The sandbox holds no credential and
 * needs no network. A snapshot's files never change, so each is fetched once and shared by every
 * later run that reads it (the cost is the first copy, and the cache's disk).
 */
@ApplicationScoped
public class ObjectStoreTableAccess {
  private final SnapshotFiles snapshots;
  private final GrantedMetadata granted;
  private final ObjectMapper json;
  private final ObjectCache cache;
  private final LocalFileIO local = new LocalFileIO();

  public ObjectStoreTableAccess(
      SnapshotFiles snapshots, GrantedMetadata granted, ObjectMapper json, ObjectCache cache) {
    this.snapshots = snapshots;
    this.granted = granted;
    this.json = json;
    this.cache = cache;
  }

  /** Whether a location is in an object store rather than on this host's file system. */
  public static boolean isObjectStore(String location) {
    int colon = location.indexOf("://");
    return colon > 0 && !location.startsWith("file:");
  }

  public RunJob.Table grant(
      RunnerFiles runner,
      String catalog,
      TableName name,
      Table table,
      TableMetadata metadata,
      Long snapshotId) {
    // The cache is in use while the snapshot's files are cached and linked: a trim waits.
    return cache.using(
        () -> {
          Snapshot snapshot = snapshotId == null ? null : metadata.snapshot(snapshotId);
          String snapshotText = snapshot == null ? null : Long.toString(snapshot.snapshotId());
          String from = trim(metadata.location());
          String to = cache.localCopy(from).toString();
          List<Path> files = new ArrayList<>();
          if (snapshot != null) {
            try {
              files.addAll(copySnapshot(table.io(), metadata, snapshot, from, to));
            } catch (FloeException e) {
              throw e;
            } catch (RuntimeException e) {
              UnreadableTableException missing =
                  UnreadableTableException.classify(catalog, name, e);
              throw missing != null ? missing : e;
            }
          }
          FileTime now = FileTime.from(Instant.now());
          for (Path file : files) {
            ObjectCache.used(file, now);
            if (runner.isolated()) {
              LocalTableAccess.link(runner, catalog, name, file);
            }
          }
          String remote = GrantedMetadata.location(metadata, snapshot);
          Path at = Path.of(RewriteTablePathUtil.newPath(remote, from, to));
          byte[] content = localPaths(granted.of(metadata, snapshot), from, to);
          if (runner.isolated()) {
            LocalTableAccess.write(runner, name, at, content);
          } else {
            ObjectCache.writeOnce(at, content);
          }
          return new RunJob.Table(name.toString(), snapshotText, at.toString());
        });
  }

  /** The snapshot's manifest list, manifests (rewritten) and data files, cached locally. */
  private List<Path> copySnapshot(
      FileIO io, TableMetadata metadata, Snapshot snapshot, String from, String to) {
    Path list = Path.of(RewriteTablePathUtil.newPath(snapshot.manifestListLocation(), from, to));
    List<Path> files = new ArrayList<>();
    FileIO both = new BothFileIO(io, local);
    Map<String, Long> lengths = new HashMap<>();
    for (ManifestFile manifest : snapshot.allManifests(io)) {
      if (manifest.content() != ManifestContent.DATA) {
        throw new FloeException(
            ErrorCode.TABLE_UNREADABLE,
            "Cannot read table: snapshot "
                + snapshot.snapshotId()
                + " has delete files, which runs cannot read from object storage yet; read a"
                + " snapshot without deletes, or rewrite the table's data files.");
      }
      String target = RewriteTablePathUtil.newPath(manifest.path(), from, to);
      Path copy = Path.of(target);
      if (!Files.exists(copy)) {
        Path staged = ObjectCache.staging(copy);
        OutputFile out = local.newOutputFile(staged.toString());
        try {
          RewriteTablePathUtil.rewriteDataManifest(
              manifest,
              Set.of(),
              out,
              io,
              metadata.formatVersion(),
              metadata.specsById(),
              from,
              to);
        } catch (IOException e) {
          throw new UncheckedIOException("Cannot rewrite manifest " + manifest.path(), e);
        }
        ObjectCache.publish(staged, copy);
      }
      lengths.put(manifest.path(), ObjectCache.sizeOf(copy));
      files.add(copy);
    }
    if (!Files.exists(list)) {
      Path staged = ObjectCache.staging(list);
      RewriteTablePathUtil.rewriteManifestList(
          snapshot, both, metadata, lengths, from, to, to, staged.toString());
      ObjectCache.publish(staged, list);
    }
    files.add(list);
    for (String file : snapshots.of(metadata, snapshot, io)) {
      if (file.equals(snapshot.manifestListLocation()) || lengths.containsKey(file)) {
        continue;
      }
      if (!file.startsWith(from + "/")) {
        throw new FloeException(
            ErrorCode.TABLE_UNREADABLE,
            "Cannot read table: its file " + file + " is outside the table's location " + from);
      }
      Path copy = Path.of(RewriteTablePathUtil.newPath(file, from, to));
      if (!Files.exists(copy)) {
        Path staged = ObjectCache.staging(copy);
        try (InputStream in = io.newInputFile(file).newStream()) {
          Files.copy(in, staged, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
          throw new UncheckedIOException("Cannot copy " + file, e);
        }
        ObjectCache.publish(staged, copy);
      }
      files.add(copy);
    }
    return files;
  }

  /** The cut-down metadata with the table's location and its snapshot's manifest list local. */
  private byte[] localPaths(byte[] metadata, String from, String to) {
    try {
      ObjectNode tree = (ObjectNode) json.readTree(metadata);
      tree.put("location", to);
      for (JsonNode snapshot : tree.path("snapshots")) {
        String list = snapshot.path("manifest-list").asText();
        if (list.startsWith(from + "/")) {
          ((ObjectNode) snapshot)
              .put("manifest-list", RewriteTablePathUtil.newPath(list, from, to));
        }
      }
      // statistics files stay in the object store: a run reads without them
      tree.putArray("statistics");
      tree.putArray("partition-statistics");
      return json.writeValueAsBytes(tree);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot rewrite the metadata of a granted table", e);
    }
  }

  private static String trim(String location) {
    return location.endsWith("/") ? location.substring(0, location.length() - 1) : location;
  }

  /** Reads object-store files through the catalog's FileIO, and writes local files. */
  private static final class BothFileIO implements FileIO {
    private final FileIO remote;
    private final FileIO local;

    BothFileIO(FileIO remote, FileIO local) {
      this.remote = remote;
      this.local = local;
    }

    @Override
    public InputFile newInputFile(String location) {
      return isObjectStore(location) ? remote.newInputFile(location) : local.newInputFile(location);
    }

    @Override
    public OutputFile newOutputFile(String location) {
      if (isObjectStore(location)) {
        throw new UncheckedIOException(new IOException("never writes to the store: " + location));
      }
      return local.newOutputFile(location);
    }

    @Override
    public void deleteFile(String location) {
      throw new UncheckedIOException(new IOException("deletes nothing: " + location));
    }
  }
}
