package dev.floe.results;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArrowStreamsTest {
  @TempDir Path dir;

  /** An Arrow IPC stream of {@code batches} batches of {@code rows} rows each. */
  private static byte[] stream(int batches, int rows) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (BufferAllocator allocator = new RootAllocator();
        BigIntVector vector = new BigIntVector("i", allocator);
        VectorSchemaRoot root = VectorSchemaRoot.of(vector);
        ArrowStreamWriter writer = new ArrowStreamWriter(root, null, out)) {
      writer.start();
      for (int b = 0; b < batches; b++) {
        vector.allocateNew(rows);
        for (int i = 0; i < rows; i++) {
          vector.set(i, (long) b * rows + i);
        }
        root.setRowCount(rows);
        writer.writeBatch();
      }
      writer.end();
    }
    return out.toByteArray();
  }

  @Test
  void summarizeCountsRowsFromHeadersAndSeesTheEndMarker() throws IOException {
    Path file = Files.write(dir.resolve("r.arrows"), stream(3, 1000));
    ArrowStreams.Summary summary = ArrowStreams.summarize(file);
    assertEquals(3000, summary.rows());
    assertTrue(summary.complete());
  }

  @Test
  void aStreamCutShortIsIncompleteWhereverItIsCut() throws IOException {
    byte[] whole = stream(3, 1000);
    for (int cut : new int[] {whole.length - 8, whole.length - 3, whole.length / 2, 10}) {
      Path file = Files.write(dir.resolve("cut-" + cut), Arrays.copyOf(whole, cut));
      assertFalse(ArrowStreams.summarize(file).complete(), "cut at " + cut);
    }
  }

  @Test
  void forgedLengthsNeitherLoopNorAllocate() throws IOException {
    byte[] whole = stream(1, 10);
    // A message claiming 2 GB of metadata, right after a valid schema message.
    byte[] schemaOnly =
        Arrays.copyOf(
            whole,
            8
                + java.nio.ByteBuffer.wrap(whole, 4, 4)
                    .order(java.nio.ByteOrder.LITTLE_ENDIAN)
                    .getInt());
    byte[] huge = Arrays.copyOf(schemaOnly, schemaOnly.length + 8);
    java.nio.ByteBuffer.wrap(huge, schemaOnly.length, 8)
        .order(java.nio.ByteOrder.LITTLE_ENDIAN)
        .putInt(-1)
        .putInt(Integer.MAX_VALUE);
    assertFalse(ArrowStreams.summarize(Files.write(dir.resolve("huge"), huge)).complete());
    // A negative metadata length, and plain garbage.
    java.nio.ByteBuffer.wrap(huge, schemaOnly.length + 4, 4)
        .order(java.nio.ByteOrder.LITTLE_ENDIAN)
        .putInt(-16);
    assertFalse(ArrowStreams.summarize(Files.write(dir.resolve("negative"), huge)).complete());
    byte[] garbage = new byte[4096];
    new java.util.Random(7).nextBytes(garbage);
    assertFalse(ArrowStreams.summarize(Files.write(dir.resolve("garbage"), garbage)).complete());
  }

  @Test
  void holdBackKnowsWhetherItHoldsTheEndMarker() throws IOException {
    byte[] whole = stream(1, 10);
    ArrowStreams.HoldBack complete = new ArrowStreams.HoldBack(new ByteArrayOutputStream());
    complete.write(whole, 0, whole.length);
    assertTrue(complete.heldIsEndMarker());
    ArrowStreams.HoldBack cut = new ArrowStreams.HoldBack(new ByteArrayOutputStream());
    cut.write(whole, 0, whole.length - 8);
    assertFalse(cut.heldIsEndMarker(), "a stream cut at a message boundary is not whole");
  }

  @Test
  void holdBackKeepsTheEndMarkerUntilFinish() throws IOException {
    byte[] whole = stream(2, 100);
    ByteArrayOutputStream sent = new ByteArrayOutputStream();
    ArrowStreams.HoldBack out = new ArrowStreams.HoldBack(sent);
    // Odd chunk sizes, some smaller than the marker, to exercise every path.
    int at = 0;
    int[] sizes = {1, 3, 7, 8, 9, 1000, 2};
    for (int i = 0; at < whole.length; i++) {
      int n = Math.min(sizes[i % sizes.length], whole.length - at);
      out.write(whole, at, n);
      at += n;
    }
    assertArrayEquals(Arrays.copyOf(whole, whole.length - 8), sent.toByteArray());
    out.finish();
    assertArrayEquals(whole, sent.toByteArray());
  }

  @Test
  void holdBackPassesEveryByteWhenTheProducerSucceeds() throws IOException {
    ByteArrayOutputStream sent = new ByteArrayOutputStream();
    OutputStream out = new ArrowStreams.HoldBack(sent);
    out.write(new byte[] {1, 2, 3});
    ((ArrowStreams.HoldBack) out).finish();
    assertArrayEquals(new byte[] {1, 2, 3}, sent.toByteArray());
  }

  /** Feeds a stream to a tally in chunks of the given sizes, round and round. */
  private static java.util.OptionalLong tally(byte[] bytes, int... sizes) {
    ArrowStreams.RowTally tally = new ArrowStreams.RowTally();
    int at = 0;
    for (int i = 0; at < bytes.length; i++) {
      int n = Math.min(sizes[i % sizes.length], bytes.length - at);
      tally.accept(bytes, at, n);
      at += n;
    }
    return tally.rows();
  }

  @Test
  void aTallyCountsAStreamsRowsHoweverItsBytesArrive() throws IOException {
    byte[] whole = stream(3, 1000);
    assertEquals(3000, tally(whole, whole.length).getAsLong());
    assertEquals(3000, tally(whole, 1).getAsLong());
    assertEquals(3000, tally(whole, 1, 3, 7, 8, 9, 1000, 2).getAsLong());
    assertEquals(0, tally(stream(0, 0), 5).getAsLong(), "a schema and no batch: 0 rows");
  }

  @Test
  void aTallyOfAStreamCutShortOrForgedIsUnknown() throws IOException {
    byte[] whole = stream(3, 1000);
    for (int cut : new int[] {whole.length - 8, whole.length - 3, whole.length / 2, 10}) {
      assertTrue(tally(Arrays.copyOf(whole, cut), 64).isEmpty(), "cut at " + cut);
    }
    byte[] trailing = Arrays.copyOf(whole, whole.length + 1);
    assertTrue(tally(trailing, 64).isEmpty(), "bytes after the end marker");
    byte[] huge = new byte[16];
    java.nio.ByteBuffer.wrap(huge)
        .order(java.nio.ByteOrder.LITTLE_ENDIAN)
        .putInt(-1)
        .putInt(Integer.MAX_VALUE);
    assertTrue(tally(huge, 16).isEmpty(), "a 2 GB header is neither read nor allocated");
    byte[] garbage = new byte[4096];
    new java.util.Random(7).nextBytes(garbage);
    assertTrue(tally(garbage, 100).isEmpty());
  }
}
