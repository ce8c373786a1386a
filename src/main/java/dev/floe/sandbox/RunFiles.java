package dev.floe.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Files a run left behind are untrusted: a run could plant a link to another run's result or to a
 * host file. The trusted side reads one only when it is a regular file, never through a link (the
 * run's processes are all gone by then, so nothing can swap it afterwards).
 */
public final class RunFiles {
  private static final org.jboss.logging.Logger LOG =
      org.jboss.logging.Logger.getLogger(RunFiles.class);

  private RunFiles() {}

  public static boolean isPlainFile(Path path) {
    try {
      BasicFileAttributes attrs =
          Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      return attrs.isRegularFile() && !attrs.isSymbolicLink();
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Deletes a run's directory. Files.walk does not follow links, so a link the run planted is
   * deleted itself, never what it points to.
   */
  public static void deleteTree(Path dir) {
    try (var walk = Files.walk(dir)) {
      for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        try {
          Files.deleteIfExists(p);
        } catch (IOException e) {
          LOG.warnf("cannot delete %s: %s", p, e.getMessage());
        }
      }
    } catch (IOException e) {
      LOG.warnf("cannot clean up %s: %s", dir, e.getMessage());
    }
  }
}
