package dev.floe.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.floe.config.FloeConfig;
import dev.floe.config.ObjectCacheConfig;
import dev.floe.error.ErrorCode;
import dev.floe.error.FloeException;
import dev.floe.sandbox.RunJob;
import dev.floe.sandbox.RunnerFiles;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.stream.Stream;
import org.apache.iceberg.ManifestContent;
import org.apache.iceberg.ManifestFile;
import org.apache.iceberg.RewriteTablePathUtil;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableMetadata;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.io.InputFile;
import org.apache.iceberg.io.OutputFile;
import org.jboss.logging.Logger;

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
  private static final Logger LOG = Logger.getLogger(ObjectStoreTableAccess.class);
  static final String CACHE = "object-cache";

  private final SnapshotFiles snapshots;
  private final GrantedMetadata granted;
  private final ObjectMapper json;
  private final Path cache;
  private final LocalFileIO local = new LocalFileIO();
  private final long maxBytes;
  private final ReentrantReadWriteLock inUse = new ReentrantReadWriteLock();

  public ObjectStoreTableAccess(
      SnapshotFiles snapshots,
      GrantedMetadata granted,
      ObjectMapper json,
      FloeConfig floe,
      ObjectCacheConfig config) {
    this.snapshots = snapshots;
    this.granted = granted;
    this.json = json;
    this.cache = floe.homePath().resolve(CACHE).toAbsolutePath().normalize();
    this.maxBytes = config.maxSize().asLongValue();
  }

  @Scheduled(
      identity = "floe-object-cache-trim",
      every = "${floe.object-cache.sweep-interval}",
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  void trimQuietly() {
    try {
      Trim trim = trim(maxBytes);
      if (trim.filesRemoved() > 0) {
        LOG.infof(
            "Object cache trimmed from %d MB to %d MB (%d files used longest ago removed;"
                + " floe.object-cache.max-size)",
            trim.bytesBefore() >> 20, trim.bytesAfter() >> 20, trim.filesRemoved());
      }
    } catch (RuntimeException e) {
      LOG.warnf("Cannot trim the object cache (%s); will try again", e.getMessage());
    }
  }

  /** Whether a location is in an object store rather than on this host's file system. */
  public static boolean isObjectStore(String location) {
    int colon = location.indexOf("://");
    return colon > 0 && !location.startsWith("file:");
  }

  /** Where the copy of an object-store file is kept on this host (and seen by runs). */
  Path localCopy(String location) {
    URI uri = URI.create(location);
    String key = uri.getPath() == null ? "" : uri.getPath();
    Path path = cache.resolve(uri.getScheme()).resolve(uri.getAuthority() + key).normalize();
    if (!path.startsWith(cache)) {
      throw new IllegalArgumentException("Not an object location: " + location);
    }
    return path;
  }

  public RunJob.Table grant(
      RunnerFiles runner,
      String catalog,
      TableName name,
      Table table,
      TableMetadata metadata,
      Long snapshotId) {
    // Held while the snapshot's files are cached and linked: a trim waits, and never removes a
    // file between its check and its link.
    inUse.readLock().lock();
    try {
      Snapshot snapshot = snapshotId == null ? null : metadata.snapshot(snapshotId);
      String snapshotText = snapshot == null ? null : Long.toString(snapshot.snapshotId());
      String from = trim(metadata.location());
      String to = localCopy(from).toString();
      List<Path> files = new ArrayList<>();
      if (snapshot != null) {
        try {
          files.addAll(copySnapshot(table.io(), metadata, snapshot, from, to));
        } catch (FloeException e) {
          throw e;
        } catch (RuntimeException e) {
          UnreadableTableException missing = UnreadableTableException.classify(catalog, name, e);
          throw missing != null ? missing : e;
        }
      }
      FileTime now = FileTime.from(Instant.now());
      for (Path file : files) {
        used(file, now);
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
        writeOnce(at, content);
      }
      return new RunJob.Table(name.toString(), snapshotText, at.toString());
    } finally {
      inUse.readLock().unlock();
    }
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
        Path staged = staging(copy);
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
        publish(staged, copy);
      }
      lengths.put(manifest.path(), sizeOf(copy));
      files.add(copy);
    }
    if (!Files.exists(list)) {
      Path staged = staging(list);
      RewriteTablePathUtil.rewriteManifestList(
          snapshot, both, metadata, lengths, from, to, to, staged.toString());
      publish(staged, list);
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
        Path staged = staging(copy);
        try (InputStream in = io.newInputFile(file).newStream()) {
          Files.copy(in, staged, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
          throw new UncheckedIOException("Cannot copy " + file, e);
        }
        publish(staged, copy);
      }
      files.add(copy);
    }
    return files;
  }

  /** Marks a cached file as used now: the cache is trimmed of the files used longest ago. */
  private static void used(Path file, FileTime now) {
    try {
      Files.setLastModifiedTime(file, now);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot use " + file, e);
    }
  }

  /** What a trim of the cache did. */
  public record Trim(long bytesBefore, long bytesAfter, int filesRemoved) {}

  /**
   * Trims the cache to at most 80% of {@code maxBytes} when it holds more, removing the files used
   * longest ago. A run that was handed a removed file keeps reading it (it has a hard link of its
   * own); the next run that needs it fetches it again. (An unisolated development runner reads the
   * cache itself, so a trim may pull a file from under it.)
   */
  public Trim trim(long maxBytes) {
    inUse.writeLock().lock();
    try {
      if (!Files.isDirectory(cache)) {
        return new Trim(0, 0, 0);
      }
      List<Path> files = new ArrayList<>();
      try (Stream<Path> walk = Files.walk(cache)) {
        walk.filter(Files::isRegularFile).forEach(files::add);
      }
      Map<Path, BasicFileAttributes> attributes = new HashMap<>();
      long total = 0;
      for (Path file : files) {
        BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
        attributes.put(file, a);
        total += a.size();
      }
      long before = total;
      int removed = 0;
      if (total > maxBytes) {
        long target = maxBytes / 5 * 4;
        files.sort(Comparator.comparing(f -> attributes.get(f).lastModifiedTime()));
        for (Path file : files) {
          if (total <= target) {
            break;
          }
          Files.deleteIfExists(file);
          total -= attributes.get(file).size();
          removed++;
        }
      }
      return new Trim(before, total, removed);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot trim the object cache " + cache, e);
    } finally {
      inUse.writeLock().unlock();
    }
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

  private static Path staging(Path copy) {
    try {
      Files.createDirectories(copy.getParent());
      // a name no other fetch uses, not created yet (Iceberg's writers create their file), ending
      // as the file's own (Iceberg's writers choose the format by it)
      return copy.getParent()
          .resolve(".fetch-" + java.util.UUID.randomUUID() + "-" + copy.getFileName());
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot cache " + copy, e);
    }
  }

  /** Readable by the sandbox's uid, moved into place atomically (a racing copy is the same). */
  private static void publish(Path staged, Path copy) {
    try {
      Files.setPosixFilePermissions(staged, PosixFilePermissions.fromString("rw-r--r--"));
      Files.move(staged, copy, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot cache " + copy, e);
    }
  }

  private static void writeOnce(Path at, byte[] content) {
    if (Files.exists(at)) {
      return;
    }
    Path staged = staging(at);
    try {
      Files.write(staged, content);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write " + at, e);
    }
    publish(staged, at);
  }

  private static long sizeOf(Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
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
