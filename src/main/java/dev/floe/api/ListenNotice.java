package dev.floe.api;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Says at start-up where Floe listens and that nothing authenticates, until the auth work lands.
 */
@ApplicationScoped
public class ListenNotice {
  private static final Logger LOG = Logger.getLogger(ListenNotice.class);

  private final String host;
  private final int port;

  public ListenNotice(
      @ConfigProperty(name = "quarkus.http.host") String host,
      @ConfigProperty(name = "quarkus.http.port") int port) {
    this.host = host;
    this.port = port;
  }

  void onStart(@Observes StartupEvent started) {
    LOG.info(describe(host, port));
  }

  static String describe(String host, int port) {
    String where = host + ":" + (port == 0 ? "<random port>" : port);
    if (isLoopback(host)) {
      return "Floe listens on "
          + where
          + " without authentication, reachable from this machine only; set"
          + " QUARKUS_HTTP_HOST=0.0.0.0 to open it to the network (anyone who reaches it can run"
          + " code and overwrite tables).";
    }
    return "Floe listens on "
        + where
        + " WITHOUT AUTHENTICATION: anyone who can reach this address can run code and overwrite"
        + " tables; keep it behind a firewall or an authenticating proxy, or unset"
        + " quarkus.http.host to listen on 127.0.0.1 only.";
  }

  static boolean isLoopback(String host) {
    return host.equals("localhost") || host.startsWith("127.") || host.equals("::1");
  }
}
