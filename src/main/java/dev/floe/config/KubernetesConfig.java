package dev.floe.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.Optional;

/** The Kubernetes runner's run pods: where they run, from which image, under which runtime. */
@ConfigMapping(prefix = "floe.kubernetes")
public interface KubernetesConfig {
  /** The namespace of the run pods (k8s/base: floe-runs, whose Role the service holds). */
  @WithDefault("floe-runs")
  String namespace();

  /** The run pods' image, built from sandbox-image/Dockerfile. */
  @WithDefault("floe-sandbox:latest")
  String image();

  /**
   * The run pods' RuntimeClass: gVisor by default (a user-space kernel between user code and the
   * node's); {@code none} for the node's default runtime.
   */
  @WithDefault("gvisor")
  String runtimeClass();

  /** The most a run pod's /tmp may hold. */
  @WithDefault("1024")
  int tmpMb();

  /**
   * The address at which run pods reach this replica's hand-over endpoint (its pod IP: k8s/base
   * sets it from the downward API); by default, this host's address.
   */
  Optional<String> handoverHost();

  /** The hand-over endpoint's port (0: any free one, for tests). */
  @WithDefault("8091")
  int handoverPort();

  /** The interface the hand-over endpoint listens on. */
  @WithDefault("0.0.0.0")
  String handoverBind();

  /**
   * The most run pods this replica has at once (ready in the pool, and running): a run that would
   * need one more waits for its sandbox and fails with SANDBOX_UNAVAILABLE.
   */
  @WithDefault("16")
  int maxPods();
}
