package dev.floe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.runtime.annotations.RegisterForReflection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A native build (Dockerfile.native) finds by reflection only what is registered for it: every
 * record of the API package (request and response bodies, Jackson reads and writes them by
 * reflection) carries {@code @RegisterForReflection}, or this fails naming the ones that do not.
 */
class NativeReflectionTest {

  @Test
  void everyRecordOfTheApiIsRegisteredForReflection() throws Exception {
    Path classes = Path.of("target/classes/dev/floe/api");
    List<String> missing = new ArrayList<>();
    int records = 0;
    try (Stream<Path> files = Files.list(classes)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".class")).toList()) {
        String name = file.getFileName().toString();
        Class<?> type = Class.forName("dev.floe.api." + name.substring(0, name.length() - 6));
        if (type.isRecord()) {
          records++;
          if (!type.isAnnotationPresent(RegisterForReflection.class)) {
            missing.add(type.getName());
          }
        }
      }
    }
    assertTrue(records > 30, "found only " + records + " records: is the path right?");
    assertEquals(List.of(), missing, "records without @RegisterForReflection");
  }
}
