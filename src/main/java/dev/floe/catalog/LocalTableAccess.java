package dev.floe.catalog;

import dev.floe.error.ErrorCode;
import dev.floe.error.FloeException;
import dev.floe.sandbox.RunJob;
import dev.floe.sandbox.RunnerFiles;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableMetadata;
import org.jboss.logging.Logger;

/**
 * Table access on a local file system: the snapshot's files (its metadata file, manifest list,
 * manifests, data and delete files) are hard-linked into the runner's root at their own paths, so
 * the run reads them where the metadata says they are, and no other file of the lake exists for it.
 * Links are instant and cost no space; across file systems the files are copied instead. Tables in
 * an object store go through {@link ObjectStoreTableAccess}, which copies them to this host first.
 */
@ApplicationScoped
public class LocalTableAccess implements TableAccess {
  private static final Logger LOG = Logger.getLogger(LocalTableAccess.class);

  private final SnapshotFiles snapshots;
  private final GrantedMetadata granted;
  private final ObjectStoreTableAccess objectStore;
  private static volatile boolean warnedCopy;

  public LocalTableAccess(
      SnapshotFiles snapshots, GrantedMetadata granted, ObjectStoreTableAccess objectStore) {
    this.snapshots = snapshots;
    this.granted = granted;
    this.objectStore = objectStore;
  }

  @Override
  public RunJob.Table grant(
      RunnerFiles runner,
      String catalog,
      TableName name,
      Table table,
      TableMetadata metadata,
      Long snapshotId) {
    if (ObjectStoreTableAccess.isObjectStore(metadata.metadataFileLocation())) {
      // Files in an object store: copied to this host by the trusted side, then granted the same
      // way.
      return objectStore.grant(runner, catalog, name, table, metadata, snapshotId);
    }
    Snapshot snapshot = snapshotId == null ? null : metadata.snapshot(snapshotId);
    String snapshotText = snapshot == null ? null : Long.toString(snapshot.snapshotId());
    if (!runner.isolated()) {
      // A runner without isolation sees the host, and reads the table's own metadata file.
      return new RunJob.Table(name.toString(), snapshotText, metadata.metadataFileLocation());
    }
    List<String> files = new ArrayList<>();
    if (snapshot != null) {
      try {
        files.addAll(snapshots.of(metadata, snapshot, table.io()));
      } catch (RuntimeException e) {
        UnreadableTableException missing = UnreadableTableException.classify(catalog, name, e);
        throw missing != null ? missing : e;
      }
    }
    for (String file : files) {
      link(runner, catalog, name, localPath(name, file));
    }
    String location = GrantedMetadata.location(metadata, snapshot);
    write(runner, name, localPath(name, location), granted.of(metadata, snapshot));
    return new RunJob.Table(name.toString(), snapshotText, location);
  }

  /** A file that exists for this runner only (in its root), never in the lake itself. */
  static void write(RunnerFiles runner, TableName name, Path at, byte[] content) {
    Path target = runner.inRoot(at);
    try {
      runner.makeDirsInRoot(at.getParent());
      if (!Files.exists(target)) {
        Path staged = Files.createTempFile(target.getParent(), ".grant-", ".json");
        Files.write(staged, content);
        Files.setPosixFilePermissions(staged, PosixFilePermissions.fromString("rw-r--r--"));
        Files.move(staged, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot give a run the metadata of " + name, e);
    }
  }

  static void link(RunnerFiles runner, String catalog, TableName name, Path source) {
    Path target = runner.inRoot(source);
    try {
      runner.makeDirsInRoot(source.getParent());
      try {
        Files.createLink(target, source);
      } catch (FileAlreadyExistsException granted) {
        // granted already (another binding of the same table, or a file two snapshots share)
      } catch (FileSystemException e) {
        if (e instanceof NoSuchFileException) {
          throw e;
        }
        // Another file system than the runner's (EXDEV): a copy costs space and time.
        if (!warnedCopy) {
          warnedCopy = true;
          LOG.warnf(
              "table files are copied into runs, not linked (%s): put floe.home on the file"
                  + " system of the warehouse to make this instant",
              e.getReason());
        }
        Files.copy(source, target);
      }
    } catch (NoSuchFileException e) {
      throw new UnreadableTableException(catalog, name, source.toString());
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot give a run access to " + source, e);
    }
  }

  static Path localPath(TableName name, String location) {
    if (location.startsWith("/")) {
      return Path.of(location);
    }
    URI uri = URI.create(location);
    if (!"file".equals(uri.getScheme())) {
      throw unreadable(
          name,
          "its files are in "
              + uri.getScheme()
              + " storage, and runs on this server read local"
              + " files only");
    }
    return Path.of(uri.getPath());
  }

  static FloeException unreadable(TableName name, String why) {
    return new FloeException(
        ErrorCode.TABLE_UNREADABLE,
        "Cannot read table '"
            + name
            + "': "
            + why
            + "; save it to a catalog whose warehouse is on"
            + " this server's file system, or read it where its storage is reachable.");
  }
}
