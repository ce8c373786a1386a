package dev.floe.results;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Reads a result's Arrow IPC stream batch by batch and renders at most {@code maxRows} rows as JSON
 * values; the remaining batches are only counted, so memory stays bounded by the row cap.
 */
public final class ArrowJsonRenderer {
  /** Schema metadata key under which the harness records each column's Polars dtype name. */
  public static final String POLARS_DTYPES = "floe.polars_dtypes";

  private ArrowJsonRenderer() {}

  /** The allocator's bound for a stream that does not tell its length (not a file). */
  static final long UNKNOWN_STREAM_BYTES = Integer.MAX_VALUE;

  /**
   * Renders a result. The stream was written by a run, so a batch may claim any body length; a file
   * stream tells how many bytes it holds, which bounds what reading it may allocate.
   */
  public static TabularResult render(InputStream arrowStream, int maxRows, ObjectMapper json)
      throws IOException {
    long available = arrowStream.available();
    return render(arrowStream, maxRows, available > 0 ? available : UNKNOWN_STREAM_BYTES, json);
  }

  /**
   * Renders a result of {@code streamBytes} bytes. No body can be larger than the stream that holds
   * it, so the allocator is bounded by it: a forged batch claiming a terabyte fails here, it does
   * not make the JVM allocate (OutOfMemoryError) for it.
   */
  public static TabularResult render(
      InputStream arrowStream, int maxRows, long streamBytes, ObjectMapper json)
      throws IOException {
    long limit = 2 * Math.max(0, streamBytes) + (16L << 20);
    try (BufferAllocator allocator = new RootAllocator(limit);
        ArrowStreamReader reader = new ArrowStreamReader(arrowStream, allocator)) {
      return read(reader, maxRows, json);
    } catch (org.apache.arrow.memory.OutOfMemoryException e) {
      throw new IOException(
          "The result is not a valid Arrow stream: a batch claims more bytes than the "
              + streamBytes
              + " the result holds",
          e);
    }
  }

  private static TabularResult read(ArrowStreamReader reader, int maxRows, ObjectMapper json)
      throws IOException {
    VectorSchemaRoot root = reader.getVectorSchemaRoot();
    Schema schema = root.getSchema();
    List<String> columns = schema.getFields().stream().map(Field::getName).toList();
    List<String> types = polarsTypes(schema, json);
    List<List<Object>> rows = new ArrayList<>();
    long count = 0;
    while (reader.loadNextBatch()) {
      int batchRows = root.getRowCount();
      List<FieldVector> vectors = root.getFieldVectors();
      for (int i = 0; i < batchRows && rows.size() < maxRows; i++) {
        List<Object> row = new ArrayList<>(vectors.size());
        for (FieldVector vector : vectors) {
          row.add(JsonValues.of(vector, i));
        }
        rows.add(row);
      }
      count += batchRows;
    }
    return new TabularResult(columns, types, rows, count, count > rows.size());
  }

  private static List<String> polarsTypes(Schema schema, ObjectMapper json) throws IOException {
    Map<String, String> metadata = schema.getCustomMetadata();
    String recorded = metadata == null ? null : metadata.get(POLARS_DTYPES);
    if (recorded != null) {
      List<String> types = json.readValue(recorded, new TypeReference<List<String>>() {});
      if (types.size() == schema.getFields().size()) {
        return types;
      }
    }
    // A stream not written by the harness: fall back to Arrow's names.
    return schema.getFields().stream().map(f -> f.getType().toString()).toList();
  }
}
