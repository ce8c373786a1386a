package dev.floe.distributed;

import dev.floe.config.DistributedConfig;
import dev.floe.config.DistributedConfig.Target;
import dev.floe.error.ErrorCode;
import dev.floe.error.FloeException;
import dev.floe.error.StartupRefusal;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;
import java.util.Locale;
import java.util.function.LongSupplier;
import org.jboss.logging.Logger;

/**
 * Where a run executes: what a request may ask of the distributed engine (checked before the run is
 * accepted), and where it goes once its tables are known ({@code "auto"} goes by their size).
 */
@ApplicationScoped
public class Placements {
  private static final Logger LOG = Logger.getLogger(Placements.class);

  private final DistributedConfig config;

  public Placements(DistributedConfig config) {
    this.config = config;
  }

  void start(@Observes StartupEvent event) {
    switch (config.target()) {
      case NONE ->
          LOG.info(
              "Distributed runs: not configured (floe.distributed.target=none); a request with"
                  + " \"distributed\": true is refused with DISTRIBUTED_UNAVAILABLE.");
      case CLOUD -> {
        require(config.workspace().isPresent(), "floe.distributed.workspace");
        require(config.clientId().isPresent(), "floe.distributed.client-id");
        require(
            config.clientSecretFile().isPresent() || config.clientSecretEnv().isPresent(),
            "floe.distributed.client-secret-file (or client-secret-env)");
        LOG.infof(
            "Distributed runs go to Polars Cloud, workspace %s (%s).",
            config.workspace().get(),
            config
                .computeName()
                .map(n -> "registered compute " + n + " unless a request sizes its own")
                .orElse("a compute started for each run"));
      }
      case ON_PREM -> {
        require(config.address().isPresent(), "floe.distributed.address");
        LOG.infof(
            "Distributed runs go to the Polars On-Prem cluster at %s.", config.address().get());
      }
    }
  }

  private void require(boolean present, String setting) {
    if (!present) {
      throw new StartupRefusal(
          "floe.distributed.target="
              + targetName(config.target())
              + " needs "
              + setting
              + "; set it, or set floe.distributed.target=none to turn distributed runs off.");
    }
  }

  /** Refuses, before the run is accepted, what no run of this request could be given. */
  public void admit(Distribution asked, String instanceType, Integer clusterSize, Integer vcpus) {
    if (asked == Distribution.LOCAL) {
      return;
    }
    Target target = config.target();
    if (target == Target.NONE) {
      if (asked == Distribution.DISTRIBUTED) {
        throw new FloeException(
            ErrorCode.DISTRIBUTED_UNAVAILABLE,
            "Cannot run distributed: this server has no distributed engine configured (an"
                + " operator sets floe.distributed.target to cloud or on-prem); remove"
                + " distributed to run locally.");
      }
      return; // auto: runs locally
    }
    if (instanceType != null) {
      if (target == Target.ON_PREM) {
        throw FloeException.invalid(
            "Cannot use instanceType on this server: its distributed runs go to a Polars On-Prem"
                + " cluster, whose machines are its own; remove instanceType (clusterSize caps"
                + " the workers a run uses).");
      }
      List<String> allowed = config.allowedInstanceTypes().orElse(List.of());
      if (!allowed.isEmpty() && !allowed.contains(instanceType)) {
        throw FloeException.invalid(
            "Cannot use instanceType '"
                + instanceType
                + "': this server allows "
                + String.join(", ", allowed)
                + " (floe.distributed.allowed-instance-types); pick one of those.");
      }
    }
    if (clusterSize != null && clusterSize > config.maxClusterSize()) {
      throw FloeException.invalid(
          "Cannot use clusterSize = "
              + clusterSize
              + ": this server's cap is "
              + config.maxClusterSize()
              + " (floe.distributed.max-cluster-size); ask for at most that.");
    }
    if (vcpus != null && vcpus > config.maxVcpus()) {
      throw FloeException.invalid(
          "Cannot use vcpus = "
              + vcpus
              + " for a distributed run: this server's cap is "
              + config.maxVcpus()
              + " (floe.distributed.max-vcpus); ask for at most that.");
    }
  }

  /**
   * Where the run goes. {@code inputBytes} (what its bound tables hold, by Iceberg's scan planning)
   * is asked only for {@code "auto"}.
   */
  public Placement place(
      Distribution asked,
      String instanceType,
      Integer clusterSize,
      Integer vcpus,
      LongSupplier inputBytes) {
    return switch (asked) {
      case LOCAL -> Placement.LOCAL;
      case DISTRIBUTED -> distributed(instanceType, clusterSize, vcpus, null);
      case AUTO -> {
        if (config.target() == Target.NONE) {
          yield Placement.local(
              "auto: this server has no distributed engine configured, so the run ran locally");
        }
        long bytes = inputBytes.getAsLong();
        String held =
            "auto: the bound tables hold "
                + bytes(bytes)
                + ", "
                + (bytes > config.autoThresholdBytes() ? "above" : "within")
                + " the threshold of "
                + bytes(config.autoThresholdBytes())
                + " (floe.distributed.auto-threshold-bytes)";
        yield bytes > config.autoThresholdBytes()
            ? distributed(instanceType, clusterSize, vcpus, held + ", so the run went distributed")
            : Placement.local(held + ", so the run ran locally");
      }
    };
  }

  private Placement distributed(
      String instanceType, Integer clusterSize, Integer vcpus, String reason) {
    boolean cloud = config.target() == Target.CLOUD;
    if (cloud
        && config.computeName().isPresent()
        && instanceType == null
        && clusterSize == null
        && vcpus == null) {
      // The registered compute has its own size: the defaults are for computes started per run.
      return new Placement(true, targetName(config.target()), null, null, null, reason, null);
    }
    return new Placement(
        true,
        targetName(config.target()),
        cloud && instanceType == null ? config.instanceType().orElse(null) : instanceType,
        clusterSize == null ? config.clusterSize().orElse(null) : clusterSize,
        vcpus,
        reason,
        null);
  }

  static String targetName(Target target) {
    return target.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  private static String bytes(long n) {
    if (n < 1024) {
      return n + " bytes";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB"};
    double v = n;
    int u = -1;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
  }
}
