package dev.floe.runs;

import dev.floe.config.FloeConfig;
import dev.floe.config.RunsConfig;
import io.quarkus.scheduler.Scheduled;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * Kept results and how long things last: a kept result for {@code floe.runs.result-ttl}, a finished
 * record for {@code retention}, a key for {@code idempotency-ttl}. The sweep removes what passed
 * its time, every {@code floe.runs.sweep-interval}.
 */
@Singleton
public class ResultRetention {
  private static final Logger LOG = Logger.getLogger(ResultRetention.class);
  private static final String SUFFIX = ".arrows";

  private final RunStore store;
  private final KeptResults kept;
  private final IdempotencyClaims claims;
  private final ActiveRuns active;
  private final RunsConfig config;
  private final Path resultsDir;
  private final Clock clock;

  public ResultRetention(
      RunStore store,
      KeptResults kept,
      IdempotencyClaims claims,
      ActiveRuns active,
      RunsConfig config,
      FloeConfig floe,
      Clock clock) {
    this.store = store;
    this.kept = kept;
    this.claims = claims;
    this.active = active;
    this.config = config;
    this.resultsDir = floe.homePath().resolve("results");
    this.clock = clock;
  }

  /** Where run {@code runId}'s result is kept. */
  Path fileFor(String runId) {
    return resultsDir.resolve(runId + SUFFIX);
  }

  /** Until when a result kept at {@code now} stays readable. */
  Instant keptUntil(Instant now) {
    return now.plus(config.resultTtl());
  }

  /** A synchronous caller rendered the result and nobody else may ask for it: remove it now. */
  public void discardResult(String runId) {
    store.get(runId).map(RunRecord::resultFile).ifPresent(file -> deleteResult(runId, file));
  }

  @Scheduled(
      identity = "floe-run-sweeper",
      every = "${floe.runs.sweep-interval}",
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  void sweepQuietly() {
    try {
      sweep();
    } catch (RuntimeException e) {
      LOG.warnf(e, "Removing expired runs failed; will try again");
    }
  }

  /** Removes results past their TTL, records past retention, dead keys, and orphaned files. */
  void sweep() {
    Instant now = clock.instant();
    kept.expiredResults(now).forEach(this::deleteResult);
    int pruned = kept.prune(now.minus(config.retention()));
    claims.prune(now.minus(config.idempotencyTtl()));
    if (pruned > 0) {
      LOG.debugf("pruned %d old run records", pruned);
    }
    if (!Files.isDirectory(resultsDir)) {
      return;
    }
    // Files first, then the runs in flight, then the store: a run that just kept its result is
    // in the store before it leaves the active set, so it is found in one of the two.
    List<Path> present;
    try (Stream<Path> files = Files.list(resultsDir)) {
      present = files.toList();
    } catch (IOException e) {
      LOG.warnf("Cannot list %s to remove orphaned results: %s", resultsDir, e.getMessage());
      return;
    }
    Set<String> inFlight = active.ids();
    Set<String> pointedAt = Set.copyOf(kept.keptResults());
    try {
      for (Path file : present) {
        String name = file.getFileName().toString();
        String runId =
            name.endsWith(SUFFIX) ? name.substring(0, name.length() - SUFFIX.length()) : name;
        if (!pointedAt.contains(file.toString()) && !inFlight.contains(runId)) {
          Files.deleteIfExists(file);
        }
      }
    } catch (IOException e) {
      LOG.warnf("Cannot list %s to remove orphaned results: %s", resultsDir, e.getMessage());
    }
  }

  private void deleteResult(String runId, String file) {
    try {
      Files.deleteIfExists(Path.of(file));
    } catch (IOException e) {
      LOG.warnf("Cannot delete the result of run %s: %s", runId, e.getMessage());
      return;
    }
    kept.forgetResult(runId);
  }
}
