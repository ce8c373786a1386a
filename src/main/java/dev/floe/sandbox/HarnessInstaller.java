package dev.floe.sandbox;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Unpacks the Python harness shipped in the jar into {@code <home>/harness/<content hash>/}, so a
 * run always executes exactly the harness this build carries, from a directory it cannot write.
 */
public final class HarnessInstaller {
  static final String RESOURCE_ROOT = "floe-harness";

  private HarnessInstaller() {}

  public static Path install(Path home) {
    Map<String, byte[]> files = readResources();
    Path target = home.resolve("harness").resolve(hash(files));
    if (Files.isRegularFile(target.resolve("floe_launch.py"))) {
      return target;
    }
    try {
      Files.createDirectories(home);
      Path staging = Files.createTempDirectory(home, "harness-");
      for (Map.Entry<String, byte[]> f : files.entrySet()) {
        Path out = staging.resolve(f.getKey());
        Files.createDirectories(out.getParent());
        Files.write(out, f.getValue());
        Files.setPosixFilePermissions(out, PosixFilePermissions.fromString("r--r--r--"));
      }
      // Readable (never writable) by the sandbox's unprivileged uid.
      try (Stream<Path> dirs = Files.walk(staging)) {
        for (Path dir : dirs.filter(Files::isDirectory).toList()) {
          Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
      }
      Files.createDirectories(target.getParent());
      try {
        Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException raced) {
        if (!Files.isDirectory(target)) {
          throw raced;
        }
      }
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot unpack the Python harness under " + home, e);
    }
  }

  private static Map<String, byte[]> readResources() {
    URL launcher =
        HarnessInstaller.class.getClassLoader().getResource(RESOURCE_ROOT + "/floe_launch.py");
    if (launcher == null) {
      throw new IllegalStateException("The Python harness is missing from the build");
    }
    try {
      URI uri = launcher.toURI();
      if ("jar".equals(uri.getScheme())) {
        try (FileSystem fs = FileSystems.newFileSystem(uri, Map.of())) {
          return readTree(fs.getPath("/" + RESOURCE_ROOT));
        }
      }
      return readTree(Path.of(uri).getParent());
    } catch (IOException | URISyntaxException e) {
      throw new IllegalStateException("Cannot read the Python harness from the build", e);
    }
  }

  private static Map<String, byte[]> readTree(Path root) throws IOException {
    Map<String, byte[]> files = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(root)) {
      List<Path> paths =
          walk.filter(Files::isRegularFile).filter(p -> p.toString().endsWith(".py")).toList();
      for (Path p : paths) {
        try (InputStream in = Files.newInputStream(p)) {
          files.put(root.relativize(p).toString(), in.readAllBytes());
        }
      }
    }
    return files;
  }

  private static String hash(Map<String, byte[]> files) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      files.forEach(
          (name, bytes) -> {
            digest.update(name.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            digest.update(bytes);
          });
      return HexFormat.of().formatHex(digest.digest()).substring(0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
