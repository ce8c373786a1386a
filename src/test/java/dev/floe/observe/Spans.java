package dev.floe.observe;

import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * The tests' span exporter (quarkus.otel.traces.exporter=cdi): the exported spans, kept to read.
 */
public class Spans {
  /** The spans of a run that succeeded without a save: the request's checks and each phase. */
  public static final java.util.Set<String> RUN_PHASES =
      java.util.Set.of(
          "floe.validate",
          "floe.run",
          "floe.queue",
          "floe.plan",
          "floe.sandbox_start",
          "floe.execute",
          "floe.result");

  @Produces
  @Singleton
  InMemorySpanExporter exporter() {
    return InMemorySpanExporter.create();
  }
}
