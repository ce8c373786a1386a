package dev.floe.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;

/**
 * The service's end of one runner's channel: exactly one connection, the runner's, made before any
 * code of its run exists; the runner's hello, then its one job and the answers to its requests.
 * Frames are JSON objects. A runner on this host connects over a Unix socket ({@link
 * UnixRunnerChannel}); a run pod over the network, authenticated ({@code PodChannel}).
 */
public interface RunnerChannel extends AutoCloseable {
  /** What a runner may send in one frame: its requests are small. */
  int MAX_FROM_RUNNER = 1 << 20;

  /** Waits for the runner to connect and say hello; then no one else can connect. */
  JsonNode accept() throws IOException;

  void send(Object message) throws IOException;

  /** The runner's next message, or null when it closed the channel (it ended). */
  JsonNode receive() throws IOException;

  @Override
  void close();

  /** The runner's first message, which must be its hello. */
  static JsonNode hello(JsonNode first) throws IOException {
    if (first == null || !"hello".equals(first.path("type").asText())) {
      throw new IOException("the runner did not say hello: " + first);
    }
    return first;
  }
}
