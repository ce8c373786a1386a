package dev.floe.api;

import dev.floe.auth.AdminKeyFile;
import dev.floe.config.AuthConfig;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/** Says at start-up where Floe listens and who may call it. */
@ApplicationScoped
public class ListenNotice {
  private static final Logger LOG = Logger.getLogger(ListenNotice.class);

  private final String host;
  private final int port;
  private final AuthConfig auth;

  public ListenNotice(
      @ConfigProperty(name = "quarkus.http.host") String host,
      @ConfigProperty(name = "quarkus.http.port") int port,
      AuthConfig auth) {
    this.host = host;
    this.port = port;
    this.auth = auth;
  }

  void onStart(@Observes StartupEvent started) {
    LOG.info(describe(host, port, auth.enabled()));
  }

  static String describe(String host, int port, boolean authenticates) {
    String where = host + ":" + (port == 0 ? "<random port>" : port);
    if (!authenticates) {
      return "Floe listens on "
          + where
          + " WITHOUT AUTHENTICATION (floe.auth.enabled=false), reachable from this machine only.";
    }
    return "Floe listens on "
        + where
        + (AdminKeyFile.isLoopback(host)
            ? ", reachable from this machine only (QUARKUS_HTTP_HOST=0.0.0.0 opens it to the"
                + " network)"
            : "")
        + "; every API call needs Authorization: Bearer <API key or OIDC token>.";
  }
}
