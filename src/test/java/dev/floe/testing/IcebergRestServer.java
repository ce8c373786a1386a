package dev.floe.testing;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import org.apache.iceberg.CatalogUtil;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.AlreadyExistsException;
import org.apache.iceberg.exceptions.CommitFailedException;
import org.apache.iceberg.exceptions.NamespaceNotEmptyException;
import org.apache.iceberg.exceptions.NoSuchNamespaceException;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.apache.iceberg.rest.CatalogHandlers;
import org.apache.iceberg.rest.RESTCatalogProperties;
import org.apache.iceberg.rest.RESTSerializers;
import org.apache.iceberg.rest.requests.CreateNamespaceRequest;
import org.apache.iceberg.rest.requests.CreateTableRequest;
import org.apache.iceberg.rest.requests.UpdateTableRequest;
import org.apache.iceberg.rest.responses.ConfigResponse;
import org.apache.iceberg.rest.responses.ErrorResponse;

/**
 * An Iceberg REST catalog server for tests: the REST protocol served by Iceberg's own server-side
 * handlers ({@link CatalogHandlers}, what Iceberg's RESTCatalogServer fixture routes to) over a
 * JDBC catalog (SQLite) whose FileIO is given by {@code backend} (S3FileIO on moto in RestLake).
 * Requests must carry {@code Authorization: Bearer <token>}; others get 401. Only the routes Floe's
 * two clients use (Iceberg Java's RESTCatalog, PyIceberg's RestCatalog) are served.
 */
public final class IcebergRestServer implements AutoCloseable {
  private final HttpServer http;
  private final Catalog catalog;
  private final String token;
  private final ObjectMapper mapper = mapper();

  public IcebergRestServer(Map<String, String> backend, String token) throws IOException {
    this.token = token;
    this.catalog =
        CatalogUtil.loadCatalog(
            "org.apache.iceberg.jdbc.JdbcCatalog", "rest_backend", backend, null);
    this.http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    http.setExecutor(Executors.newFixedThreadPool(8));
    http.createContext("/", this::handle);
    http.start();
  }

  public String uri() {
    return "http://127.0.0.1:" + http.getAddress().getPort();
  }

  public Catalog backend() {
    return catalog;
  }

  private static ObjectMapper mapper() {
    ObjectMapper mapper = new ObjectMapper();
    mapper.setVisibility(
        com.fasterxml.jackson.annotation.PropertyAccessor.FIELD,
        com.fasterxml.jackson.annotation.JsonAutoDetect.Visibility.ANY);
    mapper.configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    mapper.setPropertyNamingStrategy(new PropertyNamingStrategies.KebabCaseStrategy());
    RESTSerializers.registerAll(mapper);
    return mapper;
  }

  private void handle(HttpExchange exchange) throws IOException {
    try {
      answer(exchange);
    } catch (IOException | RuntimeException | Error e) {
      System.err.println("IcebergRestServer: " + exchange.getRequestURI() + ": " + e);
      e.printStackTrace();
      throw e;
    }
  }

  private void answer(HttpExchange exchange) throws IOException {
    try (exchange) {
      if (!("Bearer " + token).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
        error(exchange, 401, "NotAuthorizedException", "Not authorized");
        return;
      }
      try {
        Object answer = route(exchange);
        if (answer == null) {
          exchange.sendResponseHeaders(204, -1);
        } else {
          send(exchange, 200, answer);
        }
      } catch (NoSuchNamespaceException | NoSuchTableException e) {
        error(exchange, 404, e.getClass().getSimpleName(), e.getMessage());
      } catch (AlreadyExistsException | NamespaceNotEmptyException e) {
        error(exchange, 409, e.getClass().getSimpleName(), e.getMessage());
      } catch (CommitFailedException e) {
        error(exchange, 409, "CommitFailedException", e.getMessage());
      } catch (IllegalArgumentException e) {
        error(exchange, 400, "BadRequestException", e.getMessage());
      } catch (RuntimeException e) {
        error(exchange, 500, e.getClass().getSimpleName(), String.valueOf(e.getMessage()));
      }
    }
  }

  private Object route(HttpExchange exchange) throws IOException {
    String method = exchange.getRequestMethod();
    List<String> parts =
        Arrays.stream(exchange.getRequestURI().getRawPath().split("/"))
            .filter(p -> !p.isEmpty())
            .map(p -> URLDecoder.decode(p, StandardCharsets.UTF_8))
            .toList();
    SupportsNamespaces namespaces = (SupportsNamespaces) catalog;
    if (parts.equals(List.of("v1", "config"))) {
      return ConfigResponse.builder().build();
    }
    if (parts.size() == 2 && parts.get(1).equals("namespaces")) {
      if (method.equals("POST")) {
        return CatalogHandlers.createNamespace(
            namespaces, read(exchange, CreateNamespaceRequest.class));
      }
      String parent = query(exchange).get("parent");
      return CatalogHandlers.listNamespaces(
          namespaces, parent == null ? Namespace.empty() : Namespace.of(parent.split("\u001f")));
    }
    if (parts.size() < 3 || !parts.get(1).equals("namespaces")) {
      throw new IllegalArgumentException("No route for " + method + " " + parts);
    }
    Namespace namespace = Namespace.of(parts.get(2).split("\u001f"));
    if (parts.size() == 3) {
      return switch (method) {
        case "GET" -> CatalogHandlers.loadNamespace(namespaces, namespace);
        case "HEAD" -> {
          CatalogHandlers.namespaceExists(namespaces, namespace);
          yield null;
        }
        case "DELETE" -> {
          CatalogHandlers.dropNamespace(namespaces, namespace);
          yield null;
        }
        default -> throw new IllegalArgumentException("No route for " + method + " " + parts);
      };
    }
    if (parts.size() == 4 && parts.get(3).equals("tables")) {
      if (method.equals("POST")) {
        return CatalogHandlers.createTable(
            catalog, namespace, read(exchange, CreateTableRequest.class));
      }
      return CatalogHandlers.listTables(catalog, namespace);
    }
    if (parts.size() == 5 && parts.get(3).equals("tables")) {
      TableIdentifier id = TableIdentifier.of(namespace, parts.get(4));
      return switch (method) {
        case "GET" ->
            CatalogHandlers.loadTable(catalog, id, RESTCatalogProperties.SnapshotMode.ALL);
        case "HEAD" -> {
          CatalogHandlers.tableExists(catalog, id);
          yield null;
        }
        case "POST" ->
            CatalogHandlers.updateTable(catalog, id, read(exchange, UpdateTableRequest.class));
        case "DELETE" -> {
          CatalogHandlers.dropTable(catalog, id);
          yield null;
        }
        default -> throw new IllegalArgumentException("No route for " + method + " " + parts);
      };
    }
    throw new IllegalArgumentException("No route for " + method + " " + parts);
  }

  private <T> T read(HttpExchange exchange, Class<T> type) throws IOException {
    return mapper.readValue(exchange.getRequestBody(), type);
  }

  private static Map<String, String> query(HttpExchange exchange) {
    Map<String, String> query = new HashMap<>();
    String raw = exchange.getRequestURI().getRawQuery();
    if (raw != null) {
      for (String pair : raw.split("&")) {
        int eq = pair.indexOf('=');
        if (eq > 0) {
          query.put(
              URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
              URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
      }
    }
    return query;
  }

  private void error(HttpExchange exchange, int code, String type, String message)
      throws IOException {
    send(
        exchange,
        code,
        ErrorResponse.builder().responseCode(code).withType(type).withMessage(message).build());
  }

  private void send(HttpExchange exchange, int code, Object body) throws IOException {
    byte[] bytes = mapper.writeValueAsBytes(body);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    if (exchange.getRequestMethod().equals("HEAD")) {
      exchange.sendResponseHeaders(code, -1);
      return;
    }
    exchange.sendResponseHeaders(code, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() throws IOException {
    http.stop(0);
    if (catalog instanceof AutoCloseable closeable) {
      try {
        closeable.close();
      } catch (Exception e) {
        throw new IOException(e);
      }
    }
  }
}
