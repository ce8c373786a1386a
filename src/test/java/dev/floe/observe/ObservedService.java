package dev.floe.observe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.junit.QuarkusTestProfile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A service whose lineage goes over HTTP to a real receiver started here (a stand-in for Marquez
 * that keeps what it is sent), shared by the observability tests so they boot one service.
 */
public class ObservedService implements QuarkusTestProfile {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<JsonNode> RECEIVED = new CopyOnWriteArrayList<>();
  private static final HttpServer RECEIVER = start();

  private static HttpServer start() {
    try {
      HttpServer server =
          HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      server.createContext(
          "/api/v1/lineage",
          exchange -> {
            try (exchange) {
              boolean json =
                  "POST".equals(exchange.getRequestMethod())
                      && String.valueOf(exchange.getRequestHeaders().getFirst("Content-Type"))
                          .startsWith("application/json");
              if (json) {
                RECEIVED.add(JSON.readTree(exchange.getRequestBody()));
              }
              exchange.sendResponseHeaders(json ? 201 : 400, -1);
            }
          });
      server.start();
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The run events received for one OpenLineage run id, in order. */
  static List<JsonNode> lineage(String runUuid) {
    return RECEIVED.stream()
        .filter(e -> runUuid.equals(e.path("run").path("runId").asText()))
        .toList();
  }

  @Override
  public Map<String, String> getConfigOverrides() {
    return Map.of(
        "floe.lineage.transport",
        "http",
        "floe.lineage.url",
        "http://127.0.0.1:" + RECEIVER.getAddress().getPort(),
        "floe.runners.warm",
        "1");
  }
}
