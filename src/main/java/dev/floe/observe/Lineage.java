package dev.floe.observe;

import dev.floe.auth.AuditTrail;
import dev.floe.catalog.CatalogRegistry;
import dev.floe.catalog.LakeLookup;
import dev.floe.catalog.SaveOutcome;
import dev.floe.config.FloeConfig;
import dev.floe.config.LineageConfig;
import dev.floe.error.ErrorCode;
import dev.floe.error.FloeException;
import dev.floe.runs.RunRecord;
import dev.floe.runs.RunStatus;
import dev.floe.runs.RunWatch;
import dev.floe.workload.Mode;
import dev.floe.workload.TableRead;
import dev.floe.workload.Workload;
import io.openlineage.client.OpenLineage;
import io.openlineage.client.OpenLineageClient;
import io.openlineage.client.transports.Transport;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Typed;
import jakarta.inject.Singleton;
import java.net.URI;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

/**
 * Tells a lineage platform what every run did, as OpenLineage run events: START when it leaves the
 * queue, then COMPLETE, FAIL or ABORT (cancelled). Its job is the {@code jobName} the caller gave,
 * or the mode and a hash of the source (the same query is the same job); its inputs are the tables
 * it was given, at their snapshots, with their schemas; its output, the table it saved, with the
 * rows written and the new snapshot. A dry run reads and writes nothing, so it has no events.
 *
 * <p>Events are sent on a thread of their own, never on the run's: a slow or absent receiver delays
 * no run and fails none (its failures are logged; beyond {@code floe.lineage.queue} waiting events,
 * new ones are dropped).
 */
@Singleton
@Typed(Lineage.class)
public class Lineage implements RunWatch {
  private static final Logger LOG = Logger.getLogger(Lineage.class);
  private static final URI PRODUCER = URI.create("https://github.com/floe-dev/floe");
  private static final String OPENLINEAGE_CLIENT = "1.51.0";

  private final LineageConfig config;
  private final CatalogRegistry catalogs;
  private final OpenLineage openLineage = new OpenLineage(PRODUCER);
  private final LineageDatasets datasets;
  private final OpenLineageClient client;
  private final ThreadPoolExecutor sender;
  private final AtomicLong dropped = new AtomicLong();
  private final String version;

  public Lineage(
      LineageConfig config, FloeConfig floe, CatalogRegistry catalogs, LakeLookup lookup) {
    this.config = config;
    this.catalogs = catalogs;
    this.datasets = new LineageDatasets(openLineage, config.namespace(), catalogs, lookup);
    this.version =
        ConfigProvider.getConfig()
            .getOptionalValue("quarkus.application.version", String.class)
            .orElse("dev");
    Transport transport = LineageTransports.create(config, floe);
    this.client = transport == null ? null : new OpenLineageClient(transport);
    this.sender =
        new ThreadPoolExecutor(
            1,
            1,
            0,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(Math.max(1, config.queue())),
            r -> {
              Thread t = new Thread(r, "floe-lineage");
              t.setDaemon(true);
              return t;
            });
  }

  void stop(@Observes ShutdownEvent event) {
    sender.shutdown();
    try {
      if (!sender.awaitTermination(config.timeout().toMillis() + 1000, TimeUnit.MILLISECONDS)) {
        LOG.warnf(
            "%d lineage event(s) were not sent before the service stopped",
            sender.getQueue().size());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void started(RunRecord running, Workload workload) {
    if (client == null || workload.dryRun()) {
      return;
    }
    ZonedDateTime at = utc(running.startedAt());
    send(
        () -> {
          String catalog = catalogName(running);
          List<OpenLineage.InputDataset> inputs =
              workload.tables().stream()
                  .map(
                      binding ->
                          datasets.input(
                              new TableRead(
                                  catalog + "." + binding.table(),
                                  binding.snapshotId() == null
                                      ? null
                                      : binding.snapshotId().toString())))
                  .toList();
          return event(
              OpenLineage.RunEvent.EventType.START,
              at,
              running,
              workload,
              openLineage.newRunFacetsBuilder().processing_engine(engine()).build(),
              inputs,
              datasets.declaredOutput(catalog, workload.destination()));
        });
  }

  @Override
  public void ended(RunRecord end, Workload workload, List<TableRead> reads) {
    if (client == null || workload.dryRun()) {
      return;
    }
    FloeException error = end.error();
    OpenLineage.RunEvent.EventType type =
        end.status() == RunStatus.SUCCEEDED
            ? OpenLineage.RunEvent.EventType.COMPLETE
            : error != null && error.code() == ErrorCode.RUN_CANCELLED
                ? OpenLineage.RunEvent.EventType.ABORT
                : OpenLineage.RunEvent.EventType.FAIL;
    OpenLineage.RunFacetsBuilder facets =
        openLineage.newRunFacetsBuilder().processing_engine(engine());
    if (error != null) {
      facets.errorMessage(
          openLineage.newErrorMessageRunFacet(
              error.code().name() + ": " + error.getMessage(), language(workload), null));
    }
    ZonedDateTime at = utc(end.finishedAt() != null ? end.finishedAt() : Instant.now());
    send(
        () -> {
          List<OpenLineage.InputDataset> inputs = reads.stream().map(datasets::input).toList();
          SaveOutcome saved = end.saved();
          List<OpenLineage.OutputDataset> outputs =
              saved != null
                  ? List.of(datasets.savedOutput(end.runId(), catalogName(end), saved))
                  : datasets.declaredOutput(catalogName(end), workload.destination());
          return event(type, at, end, workload, facets.build(), inputs, outputs);
        });
  }

  /** The event: the run (its id a UUID, as OpenLineage wants), its job, what it read and wrote. */
  private OpenLineage.RunEvent event(
      OpenLineage.RunEvent.EventType type,
      ZonedDateTime at,
      RunRecord run,
      Workload workload,
      OpenLineage.RunFacets runFacets,
      List<OpenLineage.InputDataset> inputs,
      List<OpenLineage.OutputDataset> outputs) {
    OpenLineage.JobFacetsBuilder jobFacets =
        openLineage
            .newJobFacetsBuilder()
            .jobType(
                openLineage.newJobTypeJobFacet(
                    "BATCH", "FLOE", workload.mode().name().toUpperCase(Locale.ROOT), null));
    if (workload.mode() == Mode.QUERY) {
      jobFacets.sql(openLineage.newSQLJobFacet(workload.source(), "polars"));
    } else {
      jobFacets.sourceCode(openLineage.newSourceCodeJobFacet("python", workload.source()));
    }
    return openLineage
        .newRunEventBuilder()
        .eventType(type)
        .eventTime(at)
        .run(openLineage.newRunBuilder().runId(runUuid(run.runId())).facets(runFacets).build())
        .job(
            openLineage
                .newJobBuilder()
                .namespace(config.namespace())
                .name(jobName(workload))
                .facets(jobFacets.build())
                .build())
        .inputs(inputs)
        .outputs(outputs)
        .build();
  }

  /** The name of a workload's job: the caller's, or its mode and the start of its source's hash. */
  public static String jobName(Workload workload) {
    if (workload.jobName() != null) {
      return workload.jobName();
    }
    return workload.mode().name().toLowerCase(Locale.ROOT)
        + "-"
        + AuditTrail.sha256(workload.source()).substring(0, 16);
  }

  /** Floe's run ids are {@code r-} and a UUID; OpenLineage's are the UUID. */
  static UUID runUuid(String runId) {
    return UUID.fromString(runId.startsWith("r-") ? runId.substring(2) : runId);
  }

  private OpenLineage.ProcessingEngineRunFacet engine() {
    return openLineage.newProcessingEngineRunFacet(version, "floe", OPENLINEAGE_CLIENT);
  }

  private static String language(Workload workload) {
    return workload.mode() == Mode.QUERY ? "sql" : "python";
  }

  /** The configured name of the run's catalog (it may have named an alias, or none). */
  private String catalogName(RunRecord run) {
    return catalogs.get(run.catalog()).name();
  }

  private static ZonedDateTime utc(Instant at) {
    return (at == null ? Instant.now() : at).atZone(ZoneOffset.UTC);
  }

  /** Builds the event and sends it on the lineage thread. */
  private void send(java.util.function.Supplier<OpenLineage.RunEvent> event) {
    try {
      sender.execute(
          () -> {
            try {
              client.emit(event.get());
            } catch (RuntimeException e) {
              LOG.warnf("Cannot send a lineage event (%s): %s", config.transport(), e.getMessage());
            }
          });
    } catch (RejectedExecutionException full) {
      long n = dropped.incrementAndGet();
      if (n == 1 || n % 1000 == 0) {
        LOG.warnf(
            "%d lineage event(s) dropped: %d wait to be sent already (floe.lineage.queue); is the"
                + " receiver down?",
            n, config.queue());
      }
    }
  }
}
