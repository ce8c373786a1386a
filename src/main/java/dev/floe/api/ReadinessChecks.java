package dev.floe.api;

import dev.floe.catalog.CatalogRegistry;
import dev.floe.catalog.LakeLookup;
import dev.floe.catalog.UnreadableTableException;
import dev.floe.catalog.UnreadableTables;
import dev.floe.runs.RunManager;
import dev.floe.sandbox.Runner;
import dev.floe.sandbox.RunnerProvider;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
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

  /** Load, for operators: how many runners there are, and how many runs execute and wait. */
  @Readiness
  HealthCheck runs(RunManager runs) {
    return () -> {
      RunManager.Load load = runs.load();
      return HealthCheckResponse.named("runs")
          .up()
          .withData("runners", load.runners())
          .withData("running", load.running())
          .withData("queued", load.queued())
          .withData("queueSize", load.queueSize())
          .build();
    };
  }

  @Readiness
  HealthCheck sandbox(RunnerProvider runners) {
    return () -> {
      var builder = HealthCheckResponse.named("sandbox");
      Runner runner = runners.runner();
      if (runner == null) {
        return builder.down().withData("problem", runners.problem()).build();
      }
      return builder
          .up()
          .withData("runner", runner.name())
          .withData("isolated", runner.isolated())
          .withData("limits", runners.limits())
          .withData("python", runners.python().versions())
          .build();
    };
  }
}
