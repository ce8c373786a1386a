package dev.floe.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class BoundedLogTest {

  private static void print(BoundedLog log, String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    log.write(bytes, 0, bytes.length);
  }

  @Test
  void pollingWithNextNeverRepeatsOrLosesAByte() {
    BoundedLog log = new BoundedLog(1 << 16);
    print(log, "one\n");
    BoundedLog.Slice first = log.since(0);
    print(log, "two\n");
    BoundedLog.Slice second = log.since(first.next());
    assertEquals("one\n", first.text());
    assertEquals("two\n", second.text());
    assertEquals(8, second.next());
    assertEquals("", log.since(second.next()).text());
  }

  @Test
  void aReaderThatFellBehindIsToldHowMuchWasDropped() {
    BoundedLog log = new BoundedLog(20);
    print(log, "0123456789");
    print(log, "a".repeat(100));
    print(log, "0123456789");
    BoundedLog.Slice all = log.since(0);
    assertTrue(all.text().startsWith("0123456789"), all.text());
    assertTrue(all.text().contains("[floe: 100 bytes of output truncated]"), all.text());
    assertTrue(all.text().endsWith("0123456789"), all.text());
    assertEquals(120, all.next());
    // From inside the dropped middle: the marker counts only what this reader missed.
    assertTrue(log.since(60).text().contains("[floe: 50 bytes of output truncated]"));
    assertEquals("56789", log.since(115).text());
  }

  @Test
  void aSliceNeverEndsInsideACharacter() {
    BoundedLog log = new BoundedLog(1 << 10);
    byte[] euro = "€".getBytes(StandardCharsets.UTF_8);
    log.write(euro, 0, 2); // the run printed half a character so far
    BoundedLog.Slice half = log.since(0);
    assertEquals("", half.text());
    assertEquals(0, half.next());
    log.write(euro, 2, 1);
    assertEquals("€", log.since(half.next()).text());
  }

  @Test
  void aSnapshotAnswersLikeTheLiveLog() {
    BoundedLog log = new BoundedLog(16);
    print(log, "x".repeat(50));
    BoundedLog.Snapshot kept = log.snapshot();
    assertEquals(50, kept.total());
    assertEquals(log.since(0), kept.since(0));
    assertEquals(log.toString(), kept.text());
  }
}
