package dev.floe.api;

import dev.floe.catalog.CatalogRegistry;
import dev.floe.catalog.LakeLookup;
import dev.floe.catalog.UnreadableTableException;
import dev.floe.catalog.UnreadableTables;
import dev.floe.runs.Replica;
import dev.floe.runs.Replicas;
import dev.floe.runs.RunSlots;
import dev.floe.sandbox.RunnerLauncher;
import dev.floe.sandbox.RunnerSetup;
import dev.floe.sandbox.WarmPool;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.stream.Collectors;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready means: the default catalog answers, and the sandbox can run Python with polars. Unreadable
 * tables are listed but leave the service ready: every other table is served, and requests for a
 * broken one answer TABLE_UNREADABLE.
 */
@ApplicationScoped
public class ReadinessChecks {

  @Readiness
  HealthCheck catalog(CatalogRegistry catalogs, LakeLookup lookup, UnreadableTables unreadable) {
    return () -> {
      var builder =
          HealthCheckResponse.named("catalog").withData("default", catalogs.defaultName());
      List<UnreadableTableException> broken = unreadable.all();
      builder.withData("unreadableTables", broken.size());
      for (UnreadableTableException e : broken) {
        builder.withData("unreadable " + e.catalog() + "." + e.table(), e.getMessage());
      }
      if (!broken.isEmpty()) {
        builder.withData(
            "readiness",
            "ready despite unreadable tables: the rest of the lake is served, and requests for"
                + " those tables answer TABLE_UNREADABLE");
      }
      try {
        int namespaces = lookup.namespaces(catalogs.get(null)).size();
        return builder.up().withData("namespaces", namespaces).build();
      } catch (RuntimeException e) {
        return builder.down().withData("problem", String.valueOf(e.getMessage())).build();
      }
    };
  }

  /**
   * This replica on the run store: its name, where the others reach it, and which replicas are
   * alive beside it. Down while the run store cannot be read (no run could be accepted).
   */
  @Readiness
  HealthCheck replica(Replicas replicas) {
    return () -> {
      Replica self = replicas.self();
      var builder =
          HealthCheckResponse.named("replica")
              .withData("id", self.id())
              .withData("address", self.address());
      try {
        List<Replica> live = replicas.live();
        String others =
            live.stream()
                .map(Replica::id)
                .filter(id -> !id.equals(self.id()))
                .collect(Collectors.joining(", "));
        return builder.up().withData("replicas", live.size()).withData("others", others).build();
      } catch (RuntimeException e) {
        return builder
            .down()
            .withData("problem", "the run store cannot be read: " + e.getMessage())
            .build();
      }
    };
  }

  /** Load, for operators: how many runners there are, and how many runs execute and wait. */
  @Readiness
  HealthCheck runs(RunSlots runs) {
    return () -> {
      RunSlots.Load load = runs.load();
      return HealthCheckResponse.named("runs")
          .up()
          .withData("runners", load.runners())
          .withData("running", load.running())
          .withData("queued", load.queued())
          .withData("queueSize", load.queueSize())
          .build();
    };
  }

  /**
   * The sandbox: how runners start and are limited, and the warm pool: how many runners wait ready
   * (of how many wanted), how many are starting, and how runs found it (warm or cold).
   */
  @Readiness
  HealthCheck sandbox(RunnerSetup setup, WarmPool pool) {
    return () -> {
      var builder = HealthCheckResponse.named("sandbox");
      RunnerLauncher launcher = setup.launcher().orElse(null);
      if (launcher == null) {
        return builder.down().withData("problem", setup.problem()).build();
      }
      WarmPool.Stats stats = pool.stats();
      builder
          .up()
          .withData("runner", launcher.name())
          .withData("isolated", launcher.isolated())
          .withData("limits", setup.limits())
          .withData("python", setup.python().environment().versions())
          .withData("warmTarget", stats.target())
          .withData("warmReady", stats.ready())
          .withData("warmStarting", stats.starting())
          .withData("runsOnWarmRunners", stats.warm())
          .withData("runsOnColdRunners", stats.cold())
          .withData("runnerStartFailures", stats.failed())
          .withData("runnerStartMs", stats.meanStartMs());
      if (setup.details() != null) {
        builder.withData(
            launcher.name().equals("kubernetes") ? "pods" : "template", setup.details());
      }
      return builder.build();
    };
  }
}
