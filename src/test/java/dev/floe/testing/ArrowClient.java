package dev.floe.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.restassured.RestAssured;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowStreamReader;

/** A client that asks for Arrow and keeps the raw bytes, so tests can see a stream cut short. */
public final class ArrowClient {
  public static final String ARROW = "application/vnd.apache.arrow.stream";
  private static final byte[] END_OF_STREAM = {-1, -1, -1, -1, 0, 0, 0, 0};
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  private ArrowClient() {}

  /**
   * What came back.
   *
   * @param broken how reading the body failed, or null when it arrived whole (as HTTP sees it)
   */
  public record Answer(int status, String contentType, byte[] body, IOException broken) {
    /** The body is a whole Arrow stream: read to its end, ending with the end-of-stream marker. */
    public boolean complete() {
      return broken == null
          && body.length >= 8
          && Arrays.equals(
              Arrays.copyOfRange(body, body.length - END_OF_STREAM.length, body.length),
              END_OF_STREAM);
    }

    public String text() {
      return new String(body, java.nio.charset.StandardCharsets.UTF_8);
    }

    public long rows() {
      long rows = 0;
      try (BufferAllocator allocator = new RootAllocator();
          ArrowStreamReader reader =
              new ArrowStreamReader(new ByteArrayInputStream(body), allocator)) {
        while (reader.loadNextBatch()) {
          rows += reader.getVectorSchemaRoot().getRowCount();
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return rows;
    }

    /** Every value of one column, as Arrow Java's getObject gives it. */
    public List<Object> column(String name) {
      List<Object> values = new ArrayList<>();
      try (BufferAllocator allocator = new RootAllocator();
          ArrowStreamReader reader =
              new ArrowStreamReader(new ByteArrayInputStream(body), allocator)) {
        VectorSchemaRoot root = reader.getVectorSchemaRoot();
        while (reader.loadNextBatch()) {
          FieldVector vector = root.getVector(name);
          for (int i = 0; i < root.getRowCount(); i++) {
            values.add(vector.getObject(i));
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return values;
    }
  }

  public static Answer get(String path) {
    return send(HttpRequest.newBuilder(uri(path)).GET());
  }

  public static Answer post(String path, Object body) {
    try {
      return send(
          HttpRequest.newBuilder(uri(path))
              .header("Content-Type", "application/json")
              .POST(
                  HttpRequest.BodyPublishers.ofString(
                      new ObjectMapper().writeValueAsString(body))));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static URI uri(String path) {
    return URI.create("http://localhost:" + RestAssured.port + path);
  }

  private static Answer send(HttpRequest.Builder request) {
    HttpResponse<InputStream> response;
    try {
      response =
          HTTP.send(
              request
                  .header("Accept", ARROW)
                  .header("Authorization", TempLake.adminAuthorization())
                  .timeout(Duration.ofMinutes(5))
                  .build(),
              HttpResponse.BodyHandlers.ofInputStream());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    IOException broken = null;
    try (InputStream in = response.body()) {
      in.transferTo(body);
    } catch (IOException e) {
      broken = e;
    }
    return new Answer(
        response.statusCode(),
        response.headers().firstValue("Content-Type").orElse(""),
        body.toByteArray(),
        broken);
  }
}
