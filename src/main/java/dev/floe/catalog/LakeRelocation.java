package dev.floe.catalog;

import dev.floe.sandbox.RunFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.iceberg.ManifestContent;
import org.apache.iceberg.ManifestFile;
import org.apache.iceberg.RewriteTablePathUtil;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.TableMetadata;
import org.apache.iceberg.TableMetadataParser;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.io.InputFile;
import org.apache.iceberg.io.OutputFile;
import org.jboss.logging.Logger;

/**
 * Relocates an embedded lake that was moved: Iceberg records absolute paths, so every table whose
 * metadata still points under the old warehouse gets its current metadata, manifest lists and
 * manifests rewritten to the new one (Iceberg's {@link RewriteTablePathUtil}), and the catalog row
 * is pointed at the rewritten metadata. Rewritten files are staged first; a journal of the moves is
 * written before any file is replaced, so a relocation cut short is finished at the next start.
 */
final class LakeRelocation {
  private static final Logger LOG = Logger.getLogger(LakeRelocation.class);
  static final String STAGING = ".floe-relocation";

  private final String jdbcUri;
  private final String catalog;
  private final String newWarehouse;
  private final String oldWarehouse;
  private final LocalFileIO local = new LocalFileIO();

  /** Paths as plain absolute paths; a file: URI form of either is accepted. */
  LakeRelocation(String jdbcUri, String catalog, Path newWarehouse, String oldWarehouse) {
    this.jdbcUri = jdbcUri;
    this.catalog = catalog;
    this.newWarehouse = trim(newWarehouse.toString());
    this.oldWarehouse = trim(LocalFileIO.toPath(oldWarehouse).toString());
  }

  /** Relocates every table still under the old warehouse; returns how many were relocated. */
  int run() {
    finishInterrupted();
    int relocated = 0;
    for (Row row : rows()) {
      String from = sourcePrefix(row.metadataLocation());
      if (from == null) {
        continue;
      }
      try {
        relocate(row, from);
        relocated++;
      } catch (RuntimeException | IOException e) {
        LOG.errorf(
            "cannot relocate table %s.%s of catalog %s from %s: %s",
            row.namespace(), row.table(), catalog, oldWarehouse, e.getMessage());
      }
    }
    try {
      Files.deleteIfExists(Path.of(newWarehouse, STAGING));
    } catch (IOException e) {
      LOG.warnf("cannot remove %s: %s", Path.of(newWarehouse, STAGING), e.getMessage());
    }
    LOG.infof(
        "relocation of catalog %s from %s to %s: %d table(s) relocated",
        catalog, oldWarehouse, newWarehouse, relocated);
    return relocated;
  }

  private void relocate(Row row, String from) throws IOException {
    String to = from.substring(0, from.length() - oldWarehouse.length()) + newWarehouse;
    FileIO io = new MovedFileIO(local, from, to);
    TableMetadata metadata = TableMetadataParser.read(io, row.metadataLocation());
    Path stagingDir =
        Path.of(
            newWarehouse, STAGING, row.namespace() + "." + row.table() + "-" + System.nanoTime());
    String staging = to.substring(0, to.length() - newWarehouse.length()) + stagingDir;
    Set<Long> snapshotIds = new HashSet<>();
    metadata.snapshots().forEach(s -> snapshotIds.add(s.snapshotId()));
    List<String[]> moves = new ArrayList<>();
    Map<String, Long> lengths = new HashMap<>();
    for (Snapshot snapshot : metadata.snapshots()) {
      for (ManifestFile manifest : snapshot.allManifests(io)) {
        if (lengths.containsKey(manifest.path())) {
          continue;
        }
        if (manifest.content() != ManifestContent.DATA) {
          throw new IOException(
              "it has delete files, which Floe cannot relocate; recreate the table instead");
        }
        String staged = RewriteTablePathUtil.stagingPath(manifest.path(), from, staging);
        OutputFile out = io.newOutputFile(staged);
        RewriteTablePathUtil.rewriteDataManifest(
            manifest,
            snapshotIds,
            out,
            io,
            metadata.formatVersion(),
            metadata.specsById(),
            from,
            to);
        lengths.put(manifest.path(), out.toInputFile().getLength());
        moves.add(new String[] {staged, RewriteTablePathUtil.newPath(manifest.path(), from, to)});
      }
    }
    for (Snapshot snapshot : metadata.snapshots()) {
      String list = snapshot.manifestListLocation();
      String staged = RewriteTablePathUtil.stagingPath(list, from, staging);
      RewriteTablePathUtil.rewriteManifestList(
          snapshot, io, metadata, lengths, from, to, staging, staged);
      moves.add(new String[] {staged, RewriteTablePathUtil.newPath(list, from, to)});
    }
    TableMetadata moved = RewriteTablePathUtil.replacePaths(metadata, from, to);
    String newLocation = RewriteTablePathUtil.newPath(row.metadataLocation(), from, to);
    String stagedMetadata = RewriteTablePathUtil.stagingPath(row.metadataLocation(), from, staging);
    TableMetadataParser.write(moved, io.newOutputFile(stagedMetadata));
    moves.add(new String[] {stagedMetadata, newLocation});
    String previous =
        row.previousLocation() == null || !row.previousLocation().startsWith(from)
            ? row.previousLocation()
            : RewriteTablePathUtil.newPath(row.previousLocation(), from, to);
    RelocationJournal journal =
        new RelocationJournal(
            row.namespace(), row.table(), row.metadataLocation(), newLocation, previous);
    journal.write(stagingDir, moves);
    complete(stagingDir, journal, moves);
  }

  /** Replaces the files, then points the catalog at the new metadata; safe to repeat. */
  private void complete(Path stagingDir, RelocationJournal journal, List<String[]> moves)
      throws IOException {
    for (String[] move : moves) {
      Path staged = LocalFileIO.toPath(move[0]);
      if (Files.exists(staged)) {
        Path target = LocalFileIO.toPath(move[1]);
        Files.createDirectories(target.getParent());
        Files.move(
            staged, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      }
    }
    try (Connection db = DriverManager.getConnection(jdbcUri);
        PreparedStatement update =
            db.prepareStatement(
                "UPDATE iceberg_tables SET metadata_location = ?, previous_metadata_location = ?"
                    + " WHERE catalog_name = ? AND table_namespace = ? AND table_name = ?"
                    + " AND metadata_location = ?")) {
      update.setString(1, journal.newLocation());
      update.setString(2, journal.previousLocation());
      update.setString(3, catalog);
      update.setString(4, journal.namespace());
      update.setString(5, journal.table());
      update.setString(6, journal.oldLocation());
      update.executeUpdate();
    } catch (SQLException e) {
      throw new IOException("cannot update the catalog: " + e.getMessage(), e);
    }
    RunFiles.deleteTree(stagingDir);
    LOG.infof(
        "relocated table %s.%s of catalog %s: its metadata is now %s",
        journal.namespace(), journal.table(), catalog, journal.newLocation());
  }

  /** Completes relocations whose journal was written but whose moves or update were cut short. */
  private void finishInterrupted() {
    Path root = Path.of(newWarehouse, STAGING);
    if (!Files.isDirectory(root)) {
      return;
    }
    try (Stream<Path> dirs = Files.list(root)) {
      for (Path dir : dirs.toList()) {
        RelocationJournal.Read read = RelocationJournal.read(dir);
        if (read == null) {
          RunFiles.deleteTree(dir); // staged without a journal: nothing was replaced yet
        } else {
          complete(dir, read.journal(), read.moves());
        }
      }
    } catch (IOException | RuntimeException e) {
      LOG.errorf("cannot finish an interrupted relocation under %s: %s", root, e.getMessage());
    }
  }

  /** The old warehouse in the form this location spells it, or null when it is not under it. */
  private String sourcePrefix(String location) {
    for (String form : List.of("file://" + oldWarehouse, "file:" + oldWarehouse, oldWarehouse)) {
      if (location.startsWith(form + "/")) {
        return form;
      }
    }
    return null;
  }

  private List<Row> rows() {
    List<Row> rows = new ArrayList<>();
    try (Connection db = DriverManager.getConnection(jdbcUri);
        PreparedStatement select =
            db.prepareStatement(
                "SELECT table_namespace, table_name, metadata_location, previous_metadata_location"
                    + " FROM iceberg_tables WHERE catalog_name = ?")) {
      select.setString(1, catalog);
      try (ResultSet rs = select.executeQuery()) {
        while (rs.next()) {
          rows.add(new Row(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)));
        }
      }
    } catch (SQLException e) {
      // A catalog without tables yet has no iceberg_tables table either.
      LOG.debugf("no tables to relocate in %s: %s", catalog, e.getMessage());
    }
    return rows;
  }

  private static String trim(String path) {
    return path.endsWith("/") && path.length() > 1 ? path.substring(0, path.length() - 1) : path;
  }

  private record Row(
      String namespace, String table, String metadataLocation, String previousLocation) {}

  /** Reads and writes files spelled under the old warehouse at their place in the new one. */
  private static final class MovedFileIO implements FileIO {
    private final FileIO local;
    private final String from;
    private final String to;

    MovedFileIO(FileIO local, String from, String to) {
      this.local = local;
      this.from = from;
      this.to = to;
    }

    private String map(String location) {
      return location.startsWith(from + "/") ? to + location.substring(from.length()) : location;
    }

    @Override
    public InputFile newInputFile(String location) {
      return local.newInputFile(map(location));
    }

    @Override
    public OutputFile newOutputFile(String location) {
      return local.newOutputFile(map(location));
    }

    @Override
    public void deleteFile(String location) {
      throw new UncheckedIOException(new IOException("a relocation deletes nothing: " + location));
    }
  }
}
