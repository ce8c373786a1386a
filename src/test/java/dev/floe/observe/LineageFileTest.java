package dev.floe.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.openlineage.client.OpenLineage;
import io.openlineage.client.OpenLineageClientUtils;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded default's events file: whole lines, never past its size, older files rotated. */
class LineageFileTest {
  private static final OpenLineage OL = new OpenLineage(URI.create("https://floe.dev/test"));
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  private static OpenLineage.RunEvent event(int i) {
    return OL.newRunEventBuilder()
        .eventType(OpenLineage.RunEvent.EventType.COMPLETE)
        .eventTime(ZonedDateTime.now())
        .run(OL.newRunBuilder().runId(UUID.randomUUID()).build())
        .job(OL.newJobBuilder().namespace("floe").name("job-" + i).build())
        .build();
  }

  private static List<String> jobs(Path file) throws IOException {
    List<String> names = new ArrayList<>();
    for (String line : Files.readAllLines(file)) {
      JsonNode event = JSON.readTree(line);
      assertEquals("COMPLETE", event.get("eventType").asText(), line);
      names.add(event.get("job").get("name").asText());
    }
    return names;
  }

  @Test
  void theFileRotatesBeforeItWouldPassItsSizeAndKeepsTheNewestEvents() throws IOException {
    Path file = dir.resolve("events.jsonl");
    int oneEvent = line(event(10)).length;
    long max = oneEvent * 3L + oneEvent / 2; // three events fit in a file, not four
    LineageFile transport = new LineageFile(file, max, 2);
    for (int i = 10; i < 30; i++) {
      transport.emit(event(i));
    }
    assertFalse(Files.exists(dir.resolve("events.jsonl.3")), "only 2 older files are kept");
    List<String> kept = new ArrayList<>();
    for (Path f : List.of(dir.resolve("events.jsonl.2"), dir.resolve("events.jsonl.1"), file)) {
      assertTrue(Files.size(f) <= max, f + " is " + Files.size(f) + " bytes, over " + max);
      kept.addAll(jobs(f));
    }
    // 20 events, 3 a file: the newest 8 are kept (3 + 3 + 2), oldest first, none lost between.
    List<String> newest = new ArrayList<>();
    for (int i = 22; i < 30; i++) {
      newest.add("job-" + i);
    }
    assertEquals(newest, kept);
  }

  @Test
  void keepingNoOlderFileStartsOver() throws IOException {
    Path file = dir.resolve("events.jsonl");
    LineageFile transport = new LineageFile(file, 1, 0);
    transport.emit(event(1));
    transport.emit(event(2));
    assertEquals(List.of("job-2"), jobs(file), "an event larger than the limit still fits alone");
    try (var files = Files.list(dir)) {
      assertEquals(1, files.count());
    }
  }

  /** One event's line as the transport writes it. */
  private static byte[] line(OpenLineage.RunEvent event) {
    return (OpenLineageClientUtils.toJson(event) + "\n").getBytes(StandardCharsets.UTF_8);
  }
}
