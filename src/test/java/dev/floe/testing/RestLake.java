package dev.floe.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A Floe catalog {@code s3lake} of type {@code rest}: a real Iceberg REST catalog server ({@link
 * IcebergRestServer}: Iceberg's own handlers over a JDBC catalog) whose warehouse is on S3, served
 * by moto's S3 server (a separate process from .floe/moto-venv). Floe reaches both only through its
 * configuration: Iceberg Java's RESTCatalog with S3FileIO for browsing and planning, PyIceberg's
 * RestCatalog for the trusted writer; the demo seeding creates {@code default.flowers} through the
 * latter. The catalog's bearer token and the S3 keys are canaries (they start with FLOECANARY), so
 * a test can hunt for them from a run.
 */
public class RestLake implements QuarkusTestResourceLifecycleManager {
  public static final String CATALOG = "s3lake";
  public static final String BUCKET = "floe-lake";
  public static final String WAREHOUSE = "s3://" + BUCKET + "/warehouse";

  private static final String SUFFIX = UUID.randomUUID().toString().replace("-", "");
  public static final String TOKEN = "FLOECANARY-rest-token-" + SUFFIX;
  public static final String ACCESS_KEY = "FLOECANARYKEY" + SUFFIX.substring(0, 8).toUpperCase();
  public static final String SECRET_KEY = "FLOECANARY-s3-secret-" + SUFFIX;

  private Process moto;
  private IcebergRestServer rest;
  private Path dir;
  private String catalog = CATALOG;
  private static String s3Endpoint;
  private static String restUri;

  /**
   * {@code catalog}: the name Floe gives the REST catalog, {@code s3lake} unless set; named {@code
   * lake}, it replaces the embedded catalog (and creates namespaces, as the embedded one does).
   */
  @Override
  public void init(Map<String, String> initArgs) {
    catalog = initArgs.getOrDefault("catalog", CATALOG);
  }

  /** PyIceberg properties, as floe_e2e.py reads them, with write access to the REST lake. */
  public static Map<String, String> writerEnv(String catalog) {
    return Map.of(
        "FLOE_TEST_CATALOG_NAME", catalog,
        "FLOE_TEST_CATALOG_TYPE", "rest",
        "FLOE_TEST_CATALOG_URI", restUri,
        "FLOE_TEST_CATALOG_TOKEN", TOKEN,
        "FLOE_TEST_S3_ENDPOINT", s3Endpoint,
        "FLOE_TEST_S3_ACCESS_KEY_ID", ACCESS_KEY,
        "FLOE_TEST_S3_SECRET_ACCESS_KEY", SECRET_KEY,
        "FLOE_TEST_WAREHOUSE", WAREHOUSE);
  }

  /** moto's endpoint, for tests that look at the bucket themselves. */
  public static String s3Endpoint() {
    return s3Endpoint;
  }

  /** An S3 client on moto with the lake's keys (tests only). */
  public static S3Client s3() {
    return S3Client.builder()
        .endpointOverride(URI.create(s3Endpoint))
        .region(Region.US_EAST_1)
        .credentialsProvider(
            StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
        .forcePathStyle(true)
        .httpClient(UrlConnectionHttpClient.create())
        .build();
  }

  @Override
  public Map<String, String> start() {
    try {
      dir = Files.createTempDirectory("floe-restlake-");
      int port = freePort();
      Path motoServer = TempLake.projectHome().resolve("moto-venv/bin/moto_server");
      moto =
          new ProcessBuilder(motoServer.toString(), "-H", "127.0.0.1", "-p", Integer.toString(port))
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("moto.log").toFile())
              .start();
      awaitPort(port, Duration.ofSeconds(60));
      s3Endpoint = "http://127.0.0.1:" + port;
      try (S3Client s3 = s3()) {
        s3.createBucket(b -> b.bucket(BUCKET));
      }
      Map<String, String> backend = new HashMap<>(s3Properties());
      String catalogDb = "jdbc:sqlite:" + dir.resolve("rest-catalog.db");
      registerSqliteDriver(catalogDb);
      backend.put("uri", catalogDb);
      backend.put("warehouse", WAREHOUSE);
      backend.put("jdbc.schema-version", "V1");
      rest = new IcebergRestServer(backend, TOKEN);
      restUri = rest.uri();

      String prefix = "floe.catalogs." + catalog + ".";
      Map<String, String> config = new HashMap<>();
      if (!catalog.equals(CATALOG)) {
        config.put("floe.save.create-namespaces", "true");
      }
      config.put(prefix + "type", "rest");
      config.put(prefix + "uri", rest.uri());
      config.put(prefix + "warehouse", WAREHOUSE);
      config.put(prefix + "demo", "true");
      config.put(prefix + "properties.token", TOKEN);
      s3Properties().forEach((k, v) -> config.put(prefix + "properties.\"" + k + "\"", v));
      Map<String, String> writer = new HashMap<>();
      writer.put("type", "rest");
      writer.put("uri", rest.uri());
      writer.put("token", TOKEN);
      writer.put("s3.endpoint", s3Endpoint);
      writer.put("s3.access-key-id", ACCESS_KEY);
      writer.put("s3.secret-access-key", SECRET_KEY);
      writer.put("s3.region", "us-east-1");
      writer.forEach((k, v) -> config.put(prefix + "writer-properties.\"" + k + "\"", v));
      return config;
    } catch (IOException e) {
      stop();
      throw new UncheckedIOException(e);
    } catch (java.sql.SQLException e) {
      stop();
      throw new IllegalStateException("Cannot register SQLite's JDBC driver", e);
    }
  }

  /** Iceberg Java's S3FileIO on moto: the REST server's and Floe's trusted side's alike. */
  private static Map<String, String> s3Properties() {
    return Map.of(
        "io-impl", "org.apache.iceberg.aws.s3.S3FileIO",
        "s3.endpoint", s3Endpoint,
        "s3.path-style-access", "true",
        "s3.access-key-id", ACCESS_KEY,
        "s3.secret-access-key", SECRET_KEY,
        "client.region", "us-east-1",
        "http-client.type", "urlconnection");
  }

  @Override
  public void stop() {
    try {
      if (rest != null) {
        rest.close();
      }
    } catch (IOException e) {
      // the test JVM ends anyway
    }
    if (moto != null) {
      moto.destroy();
      try {
        if (!moto.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
          moto.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private void awaitPort(int port, Duration timeout) throws IOException {
    Instant until = Instant.now().plus(timeout);
    while (Instant.now().isBefore(until)) {
      if (!moto.isAlive()) {
        throw new IOException("moto_server exited: " + Files.readString(dir.resolve("moto.log")));
      }
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return;
      } catch (IOException notYet) {
        try {
          Thread.sleep(100);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException(e);
        }
      }
    }
    throw new IOException("moto_server did not listen on " + port + " within " + timeout);
  }

  /**
   * SQLite's JDBC driver, registered as this class loader sees it: a Quarkus test profile restarts
   * the application in a new class loader, and the driver an earlier one registered is not one the
   * new one's code may use ("No suitable driver").
   */
  private static void registerSqliteDriver(String url) throws java.sql.SQLException {
    try {
      java.sql.DriverManager.getDriver(url);
    } catch (java.sql.SQLException none) {
      java.sql.DriverManager.registerDriver(new org.sqlite.JDBC());
    }
  }
}
