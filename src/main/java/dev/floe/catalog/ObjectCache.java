package dev.floe.catalog;

import dev.floe.config.FloeConfig;
import dev.floe.config.ObjectCacheConfig;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * This host's copies of object-store files ({@code
 * floe.home/object-cache/<scheme>/<bucket>/<key>}), fetched by the trusted side for runs: each copy
 * is staged, then moved into place readable by the sandbox's uid; it is trimmed of the files used
 * longest ago when it outgrows {@code floe.object-cache.max-size}.
 */
@ApplicationScoped
public class ObjectCache {
  private static final Logger LOG = Logger.getLogger(ObjectCache.class);
  static final String CACHE = "object-cache";

  private final Path cache;
  private final long maxBytes;
  private final ReentrantReadWriteLock inUse = new ReentrantReadWriteLock();

  public ObjectCache(FloeConfig floe, ObjectCacheConfig config) {
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

  /**
   * Runs {@code work} (which caches files and links them for a run) with the cache in use: a trim
   * waits, and never removes a file between its check and its link.
   */
  <T> T using(Supplier<T> work) {
    inUse.readLock().lock();
    try {
      return work.get();
    } finally {
      inUse.readLock().unlock();
    }
  }

  /** Marks a cached file as used now: the cache is trimmed of the files used longest ago. */
  static void used(Path file, FileTime now) {
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

  static Path staging(Path copy) {
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
  static void publish(Path staged, Path copy) {
    try {
      Files.setPosixFilePermissions(staged, PosixFilePermissions.fromString("rw-r--r--"));
      Files.move(staged, copy, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot cache " + copy, e);
    }
  }

  static void writeOnce(Path at, byte[] content) {
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

  static long sizeOf(Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
