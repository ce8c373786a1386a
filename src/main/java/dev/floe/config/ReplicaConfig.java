package dev.floe.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/**
 * This service process as one replica of several on one run store (PostgreSQL): its name, where the
 * others reach it, and how it shows it is alive.
 */
@ConfigMapping(prefix = "floe.replica")
public interface ReplicaConfig {
  /**
   * The replica's name in the run store, unique among the replicas on it and the same after a
   * restart when possible (on Kubernetes, the pod's name). Default: {@code <hostname>-<http port>}.
   */
  Optional<String> id();

  /**
   * The base URL at which the other replicas reach this one (on Kubernetes, {@code
   * http://$(POD_IP):8080}). Default: {@code http://<hostname>:<http port>}.
   */
  Optional<String> address();

  /** How often the replica records that it is alive, and looks for replicas that are not. */
  @WithDefault("PT2S")
  Duration heartbeatInterval();

  /**
   * How long a replica's heartbeat may stand still before the others take it for lost: its runs in
   * flight then read failed, "replica lost", and a retry with the same Idempotency-Key runs again.
   */
  @WithDefault("PT15S")
  Duration lease();
}
