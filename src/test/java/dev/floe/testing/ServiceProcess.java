package dev.floe.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The packaged service started as its own process, as users start it ({@code java -jar}), on a free
 * port with a {@code floe.home} of its own, and spoken to over HTTP with the admin key it wrote (or
 * was given).
 */
public final class ServiceProcess {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final Path PROJECT_HOME =
      Path.of(System.getProperty("floetest.project-home", ".floe")).toAbsolutePath();
  private static final Path JAR =
      Path.of(System.getProperty("floetest.app-jar", "target/quarkus-app/quarkus-run.jar"));

  private final Path home;
  private final int port;
  private final Path adminKey;
  private List<String> settings;
  private final String heap;
  private Process process;

  /**
   * @param settings further {@code -Dname=value} settings of the service
   */
  public ServiceProcess(Path home, String heap, List<String> settings) throws IOException {
    this.home = home;
    this.heap = heap;
    this.settings = List.copyOf(settings);
    try (ServerSocket free = new ServerSocket(0)) {
      this.port = free.getLocalPort();
    }
    this.adminKey =
        settings.stream()
            .filter(s -> s.startsWith("-Dfloe.auth.admin-key-file="))
            .map(s -> Path.of(s.substring(s.indexOf('=') + 1)))
            .findFirst()
            .orElse(home.resolve("admin.key"));
  }

  /** The same service with one more setting (for the next start). */
  public ServiceProcess withSetting(String setting) {
    List<String> more = new ArrayList<>(settings);
    more.add(setting);
    settings = List.copyOf(more);
    return this;
  }

  public int port() {
    return port;
  }

  public String url() {
    return "http://127.0.0.1:" + port;
  }

  public Path home() {
    return home;
  }

  public Process process() {
    return process;
  }

  public Path adminKey() {
    return adminKey;
  }

  /** The dev venv's python, which has pyarrow, for clients written in Python. */
  public static Path devPython() {
    return PROJECT_HOME.resolve("dev-venv/bin/python");
  }

  /** Starts the service and waits (up to 3 min) until it is ready. */
  public ServiceProcess start() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new ArrayList<>();
    command.add(java);
    command.add(heap);
    command.add("--add-opens=java.base/java.nio=ALL-UNNAMED");
    command.add("-Dquarkus.http.port=" + port);
    command.add("-Dfloe.home=" + home);
    command.add("-Dfloe.sandbox.python=" + PROJECT_HOME.resolve("venv/bin/python"));
    command.addAll(settings);
    command.add("-jar");
    command.add(JAR.toString());
    Files.createDirectories(home);
    process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(home.resolve("service.log").toFile()))
            .start();
    long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
    while (System.nanoTime() < deadline) {
      assertTrue(process.isAlive(), "the service died at start-up: " + log());
      try {
        if (get("/q/health/ready").statusCode() == 200) {
          return this;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(500);
    }
    throw new AssertionError("the service never became ready: " + log());
  }

  /** Stops it as an orchestrator does (SIGTERM), and waits for it. */
  public void stop() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroy();
      process.waitFor();
    }
  }

  /** kill -9: no shutdown hook runs. */
  public void kill() throws InterruptedException {
    process.destroyForcibly().waitFor();
  }

  public String log() throws IOException {
    Path log = home.resolve("service.log");
    return Files.exists(log) ? Files.readString(log) : "";
  }

  /** A request to {@code path}, with the admin key once there is one. */
  public HttpRequest.Builder request(String path) throws IOException {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url() + path));
    return Files.exists(adminKey)
        ? request.header("Authorization", "Bearer " + Files.readString(adminKey).strip())
        : request;
  }

  public HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return send(request(path));
  }

  public HttpResponse<String> delete(String path) throws IOException, InterruptedException {
    return send(request(path).DELETE());
  }

  public HttpResponse<String> post(String path, Map<String, ?> body)
      throws IOException, InterruptedException {
    return send(withBody(request(path), body));
  }

  /** {@code request} as a POST of {@code body} as JSON. */
  public static HttpRequest.Builder withBody(HttpRequest.Builder request, Map<String, ?> body)
      throws IOException {
    return request
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
  }

  public static HttpResponse<String> send(HttpRequest.Builder request)
      throws IOException, InterruptedException {
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  public static HttpResponse<byte[]> sendBytes(HttpRequest.Builder request)
      throws IOException, InterruptedException {
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  /** The JSON object a response holds. */
  public static Map<?, ?> json(HttpResponse<String> response) throws IOException {
    return JSON.readValue(response.body(), Map.class);
  }
}
