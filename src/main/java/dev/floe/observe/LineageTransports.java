package dev.floe.observe;

import dev.floe.config.FloeConfig;
import dev.floe.config.LineageConfig;
import io.openlineage.client.transports.ConsoleTransport;
import io.openlineage.client.transports.HttpConfig;
import io.openlineage.client.transports.HttpTransport;
import io.openlineage.client.transports.TokenProvider;
import io.openlineage.client.transports.Transport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where lineage events go: a file (the embedded default), an HTTP receiver, the log, or nowhere.
 */
final class LineageTransports {
  private LineageTransports() {}

  /** The transport {@code floe.lineage.transport} names; null for off. */
  static Transport create(LineageConfig config, FloeConfig floe) {
    switch (config.transport()) {
      case OFF:
        return null;
      case CONSOLE:
        return new ConsoleTransport();
      case HTTP:
        {
          URI url =
              config
                  .url()
                  .orElseThrow(
                      () ->
                          new IllegalStateException(
                              "floe.lineage.transport=http needs floe.lineage.url, the lineage"
                                  + " receiver's base URL (e.g. http://marquez:5000); set it, or"
                                  + " choose another transport."));
          HttpConfig http = new HttpConfig();
          http.setUrl(url);
          http.setEndpoint(config.endpoint());
          http.setTimeoutInMillis((int) config.timeout().toMillis());
          config
              .apiKey()
              .ifPresent(
                  key ->
                      http.setAuth(
                          new TokenProvider() {
                            @Override
                            public String getToken() {
                              return "Bearer " + key;
                            }
                          }));
          return new HttpTransport(http);
        }
      case FILE:
      default:
        {
          Path file =
              config
                  .file()
                  .map(Path::of)
                  .orElse(floe.homePath().resolve("lineage").resolve("events.jsonl"))
                  .toAbsolutePath();
          try {
            Files.createDirectories(file.getParent());
          } catch (IOException e) {
            throw new UncheckedIOException("Cannot create the lineage directory of " + file, e);
          }
          return new LineageFile(file, config.fileMaxMb() * 1024L * 1024L, config.fileKeep());
        }
    }
  }
}
