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

  /** The base URL at which run pods reach the service's hand-over endpoint. */
  Optional<String> handoverAddress();
}
