package dev.floe.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Distributed runs: where they go (Polars Cloud or Polars On-Prem), as whom, and what a request may
 * ask for. The credentials are named here by reference (a file or an environment variable of the
 * service) and read at each dispatch; they reach the trusted dispatcher only, never a sandbox.
 */
@ConfigMapping(prefix = "floe.distributed")
public interface DistributedConfig {

  /** Where distributed runs go. */
  enum Target {
    /** Nowhere: a distributed request is refused with DISTRIBUTED_UNAVAILABLE. */
    NONE,
    /** Polars Cloud: a workspace, a service account's client id and secret. */
    CLOUD,
    /** A Polars On-Prem cluster's scheduler address. */
    ON_PREM
  }

  @WithDefault("none")
  Target target();

  /** Polars Cloud: the workspace (name or id) runs are started in. */
  Optional<String> workspace();

  /**
   * Polars Cloud: a registered compute (started once, kept running) that requests naming no
   * instance type, cluster size or CPUs run on; without it every run starts a compute of its own.
   */
  Optional<String> computeName();

  /** Polars Cloud: the service account's client id. */
  Optional<String> clientId();

  /** Polars Cloud: a file holding the service account's client secret (first line). */
  Optional<String> clientSecretFile();

  /** Polars Cloud: an environment variable of the service holding the client secret. */
  Optional<String> clientSecretEnv();

  /** Polars On-Prem: the scheduler's address, e.g. {@code https://polars.internal:5051}. */
  Optional<String> address();

  /** Polars On-Prem: the name TLS verifies the scheduler by, when the address is an IP. */
  Optional<String> domainName();

  /** Polars Cloud: the instance type of a request that names none. */
  Optional<String> instanceType();

  /** The cluster size of a request that names none (Polars Cloud: machines; On-Prem: workers). */
  Optional<Integer> clusterSize();

  /** Polars Cloud: the instance types a request may name; empty = any. */
  Optional<List<String>> allowedInstanceTypes();

  /** The largest clusterSize a request may ask for. */
  @WithDefault("8")
  int maxClusterSize();

  /** The most vcpus a distributed request may ask for (per machine). */
  @WithDefault("64")
  int maxVcpus();

  /** {@code "distributed": "auto"} runs distributed when the bound tables hold more than this. */
  @WithDefault("10737418240")
  long autoThresholdBytes();

  /** Polars Cloud: minutes a compute started for a run may idle before the cloud stops it. */
  @WithDefault("10")
  int idleTimeoutMins();

  /** The longest a dispatch may take (compute start included); then the query is cancelled. */
  @WithDefault("PT30M")
  Duration timeout();

  /** The dispatcher's Python (polars-cloud's environment); default: the venv the build made. */
  Optional<String> python();

  /**
   * A directory put first on the dispatcher's import path. Tests put a stand-in {@code
   * polars_cloud} there; in production it stays unset.
   */
  Optional<String> clientPath();

  /** The largest plan a run may hand the dispatcher (literal data in a plan counts). */
  @WithDefault("16777216")
  long maxPlanBytes();
}
