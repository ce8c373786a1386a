package dev.floe.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The OpenLineage schemas {@link LineageTest} validates against are the official repository's files
 * unchanged (PROVENANCE.md): each one's SHA-256 is the one listed when it was copied, and nothing
 * is there that was not copied. A hand edit of a schema fails here, not silently in a lineage test.
 */
class OpenLineageSpecCopyTest {
  private static final Path SPEC = Path.of("src/test/resources/openlineage-spec");

  @Test
  void theSchemasAreTheCopiedFilesUnchanged() throws IOException, NoSuchAlgorithmException {
    Map<String, String> listed = new TreeMap<>();
    for (String line : Files.readAllLines(SPEC.resolve("SHA256SUMS"))) {
      String[] parts = line.split(" {2}", 2);
      listed.put(parts[1], parts[0]);
    }
    Map<String, String> found = new TreeMap<>();
    try (Stream<Path> files = Files.walk(SPEC)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".json")).toList()) {
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file));
        found.put(
            SPEC.relativize(file).toString().replace('\\', '/'), HexFormat.of().formatHex(digest));
      }
    }
    assertEquals(38, found.size(), "the event schema and its facets' schemas");
    assertEquals(listed, found);
  }
}
