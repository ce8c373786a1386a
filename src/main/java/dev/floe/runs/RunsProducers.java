package dev.floe.runs;

import dev.floe.config.FloeConfig;
import dev.floe.config.ReplicaConfig;
import dev.floe.config.RunsConfig;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Clock;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** The beans of the runs package that are not classes of their own: its database and the clock. */
@Singleton
public class RunsProducers {

  /** Opened and migrated once; closed when the service stops. */
  @Produces
  @Singleton
  RunDatabase runDatabase(RunsConfig config, FloeConfig floe) {
    return RunDatabase.open(
        new RunDatabase.Location(
            config.storeUrl().orElse("jdbc:sqlite:" + floe.homePath().resolve("runs.db")),
            config.storeUser().orElse(null),
            config.storePassword().orElse(null)));
  }

  void close(@Disposes RunDatabase database) {
    database.close();
  }

  /** This process as a replica of the service on the run store. */
  @Produces
  @Singleton
  Replica replica(
      ReplicaConfig config,
      @ConfigProperty(name = "quarkus.http.port", defaultValue = "8080") int port) {
    return Replica.ofHost(config.id().orElse(null), config.address().orElse(null), port);
  }

  /** Injected wherever time decides something, so tests can move it instead of sleeping. */
  @Produces
  @Singleton
  Clock clock() {
    return Clock.systemUTC();
  }
}
