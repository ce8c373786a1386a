package dev.floe.runs;

import dev.floe.catalog.TableName;
import dev.floe.catalog.trusted.SaveMode;
import dev.floe.catalog.trusted.SchemaMode;
import dev.floe.config.FloeConfig;
import dev.floe.config.LimitsConfig;
import dev.floe.config.QuotasConfig;
import dev.floe.config.ReplicaConfig;
import dev.floe.config.RunnersConfig;
import dev.floe.config.RunsConfig;
import dev.floe.workload.Caller;
import dev.floe.workload.Compute;
import dev.floe.workload.Destination;
import dev.floe.workload.Mode;
import dev.floe.workload.RunControl;
import dev.floe.workload.RunLimits;
import dev.floe.workload.Workload;
import dev.floe.workload.WorkloadService;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * The runs package wired by hand over a run store (SQLite or PostgreSQL): one runner, a queue of
 * one, a clock the test moves, and an executor the test programs in place of the sandbox.
 */
final class WiredRuns implements AutoCloseable {
  static final Duration RESULT_TTL = Duration.ofHours(1);
  static final Duration RETENTION = Duration.ofDays(7);
  static final Duration KEY_TTL = Duration.ofHours(24);

  final MovableClock clock = new MovableClock(Instant.parse("2026-11-25T10:00:00Z"));
  final Stores stores;
  final ActiveRuns active;
  final RunSlots slots;
  final ResultRetention retention;
  final RunLifecycle lifecycle;
  final Replicas replicas;
  final RunLogs logs;
  final Path resultsDir;

  /** What the next runs do; a test sets it before submitting. */
  volatile RunExecutor executor = WiredRuns::succeed;

  WiredRuns(Path dir, String storeUrl) {
    this(dir, storeUrl, Stores.REPLICA, Map.of());
  }

  /**
   * As replica {@code self} of the service on the store, its settings {@code more} beside the
   * defaults above.
   */
  WiredRuns(Path dir, String storeUrl, Replica self, Map<String, String> more) {
    Map<String, String> settings =
        new java.util.HashMap<>(
            Map.of(
                "floe.home", dir.toString(),
                "floe.runners.max-concurrent", "1",
                "floe.runners.queue-size", "1",
                "floe.quotas.queued", "1",
                "floe.runs.result-ttl", RESULT_TTL.toString(),
                "floe.runs.retention", RETENTION.toString(),
                "floe.runs.idempotency-ttl", KEY_TTL.toString()));
    settings.putAll(more);
    Mappings config = new Mappings(settings);
    stores = Stores.open(storeUrl, self);
    active = new ActiveRuns(stores.store(), RunWatch.NONE);
    slots = new RunSlots(config.get(RunnersConfig.class), config.get(QuotasConfig.class));
    resultsDir = dir.resolve("results");
    RunsConfig runs = config.get(RunsConfig.class);
    retention =
        new ResultRetention(
            stores.store(),
            new KeptResults(stores.database()),
            stores.claims(),
            active,
            runs,
            config.get(FloeConfig.class),
            clock);
    RunExecution execution =
        new RunExecution(
            (w, id, control, keep) -> executor.execute(w, id, control, keep),
            stores.store(),
            active,
            slots,
            retention,
            clock);
    replicas =
        new Replicas(
            stores.database(), stores.store(), active, config.get(ReplicaConfig.class), clock);
    replicas.register();
    lifecycle =
        new RunLifecycle(
            stores.store(),
            stores.claims(),
            active,
            slots,
            execution,
            replicas,
            runs,
            config.get(LimitsConfig.class),
            clock,
            dev.floe.workload.RunTrace.NONE);
    logs = new RunLogs(active);
  }

  /** A run that holds the one runner until {@code release()}; it has started when this returns. */
  record Holder(String runId, CountDownLatch done) {
    void release() {
      done.countDown();
    }
  }

  Holder holdTheRunner() throws InterruptedException {
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    executor = held(started, release);
    String runId = lifecycle.submit(async(workload(null))).runId();
    started.await();
    executor = WiredRuns::succeed;
    return new Holder(runId, release);
  }

  /** A script run, saving to {@code destination} when it is not null. */
  static Workload workload(String destination) {
    return new Workload(
        Mode.SCRIPT,
        "result = pl.DataFrame({'a': [1]})",
        List.of(),
        Map.of(),
        null,
        destination == null
            ? null
            : new Destination(
                TableName.parse(destination, "destination"), SaveMode.APPEND, SchemaMode.STRICT),
        new RunLimits(Duration.ofSeconds(30), 512, 10, 1000),
        Compute.local(),
        false,
        false,
        null,
        Caller.UNAUTHENTICATED_ADMIN);
  }

  static Submission async(Workload workload) {
    return new Submission(workload, null, "hash", false, true, null);
  }

  static Submission keyed(String key, String bodyHash) {
    return new Submission(workload("ns.out"), key, bodyHash, false, true, null);
  }

  /** Succeeds with a three-row result kept at {@code keep}, printing a line first. */
  static RunExecutor.Executed succeed(Workload w, String runId, RunControl control, Path keep) {
    byte[] line = ("hello from " + runId + "\n").getBytes();
    control.log().write(line, 0, line.length);
    try {
      Files.createDirectories(keep.getParent());
      Files.writeString(keep, "arrow bytes of " + runId);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new RunExecutor.Executed(Duration.ofMillis(5), 3L, null, null, keep);
  }

  /** Runs until cancelled (telling {@code started} it began), then ends as cancelled. */
  static RunExecutor untilCancelled(CountDownLatch started) {
    return (w, runId, control, keep) -> {
      started.countDown();
      while (!control.cancelled()) {
        Thread.sleep(5); // a workload that polls, as the sandbox's would be killed
      }
      throw WorkloadService.cancelled(runId);
    };
  }

  /** Tells {@code started} it began, waits for {@code release}, then succeeds. */
  static RunExecutor held(CountDownLatch started, CountDownLatch release) {
    return (w, runId, control, keep) -> {
      started.countDown();
      release.await();
      return succeed(w, runId, control, keep);
    };
  }

  /** Waits up to 10 s for the run to end. */
  RunRecord end(String runId) throws InterruptedException {
    RunRecord end = lifecycle.await(runId, Duration.ofSeconds(10));
    if (end == null) {
      throw new AssertionError("run " + runId + " did not end within 10 s");
    }
    return end;
  }

  @Override
  public void close() {
    active.all().forEach(run -> run.control().cancel());
    slots.shutdown();
    stores.close();
  }
}
