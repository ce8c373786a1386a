package dev.floe.runs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.floe.catalog.SaveOutcome;
import dev.floe.catalog.TableName;
import dev.floe.error.Diagnostics;
import dev.floe.error.ErrorCode;
import dev.floe.error.FloeException;
import dev.floe.sandbox.BoundedLog;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunStoreTest {
  @TempDir Path dir;

  private static RunRecord queued(String id, Instant at) {
    return Stores.queued(id, at);
  }

  /** The store of one test, opened more than once: SQLite here, PostgreSQL in a subclass. */
  String url() {
    return "jdbc:sqlite:" + dir.resolve("runs.db");
  }

  @Test
  void aRecordSurvivesReopeningWithEveryField() {
    Instant t0 = Instant.parse("2026-11-25T10:00:00Z");
    BoundedLog log = new BoundedLog(16);
    byte[] printed = "hello, world, and more than sixteen bytes".getBytes(StandardCharsets.UTF_8);
    log.write(printed, 0, printed.length);
    RunRecord done =
        queued("r-1", t0)
            .running(t0.plusSeconds(1))
            .succeeded(
                t0.plusSeconds(3),
                2000L,
                log.snapshot(),
                new RunRecord.Output(
                    42L,
                    new SaveOutcome(
                        new TableName("ns", "out"), 42, "append", "7507442581080545442", true),
                    null,
                    "/tmp/r-1.arrows",
                    t0.plusSeconds(3600)));
    try (Stores stores = Stores.open(url())) {
      RunStore store = stores.store();
      KeptResults kept = new KeptResults(stores.database());
      store.insert(queued("r-1", t0));
      store.update(done);
    }
    try (Stores stores = Stores.open(url())) {
      RunStore reopened = stores.store();
      RunRecord read = reopened.get("r-1").orElseThrow();
      assertEquals(RunStatus.SUCCEEDED, read.status());
      assertEquals(t0.plusSeconds(1), read.startedAt());
      assertEquals(42L, read.rowCount());
      assertEquals("7507442581080545442", read.saved().snapshotId());
      assertEquals(log.toString(), read.logs().text());
      assertEquals(log.since(5), read.logs().since(5));
      assertEquals("/tmp/r-1.arrows", read.resultFile());
      assertEquals(100, read.maxResultBytes());
    }
  }

  @Test
  void aListHoldsSummariesWithoutTheLargeColumnsAndOneRunHasThemAll() {
    Instant t0 = Instant.parse("2026-11-25T10:00:00Z");
    BoundedLog log = new BoundedLog(1 << 20);
    byte[] printed = "x".repeat(100_000).getBytes(StandardCharsets.UTF_8);
    log.write(printed, 0, printed.length);
    String profile = "{\"total_ms\":3,\"nodes\":[]}";
    String plan = "{\"columns\":[\"x\"]}";
    RunRecord done =
        queued("r-big", t0)
            .running(t0.plusSeconds(1))
            .succeeded(
                t0.plusSeconds(2),
                1000L,
                log.snapshot(),
                new RunRecord.Output(null, null, plan, null, null, null, null, profile));
    try (Stores stores = Stores.open(url())) {
      RunStore store = stores.store();
      store.insert(queued("r-big", t0));
      store.update(done);

      RunRecord listed = store.list(null, null, 10).get(0);
      assertEquals("r-big", listed.runId());
      assertEquals(RunStatus.SUCCEEDED, listed.status());
      assertEquals(1000L, listed.elapsedMs());
      assertEquals("4bf92f3577b34da6a3ce929d0e0e4736", listed.asked().traceId());
      assertEquals(null, listed.logs(), "a list does not read each run's logs");
      assertEquals(null, listed.asked().request());
      assertEquals(null, listed.profile());
      assertEquals("", listed.plan(), "a dry run's plan is marked present, not read");

      RunRecord one = store.get("r-big").orElseThrow();
      assertEquals(100_000, one.logs().total());
      assertEquals("SELECT x FROM t", one.asked().request().source());
      assertEquals(profile, one.profile());
      assertEquals(plan, one.plan());
    }
  }

  @Test
  void runsInFlightAtARestartReadFailedServiceRestarted() {
    Instant t0 = Instant.now();
    try (Stores stores = Stores.open(url())) {
      RunStore store = stores.store();
      store.insert(queued("r-q", t0));
      store.insert(queued("r-r", t0.plusMillis(1)));
      store.update(store.get("r-r").orElseThrow().running(t0.plusMillis(2)));
      FloeException error =
          new FloeException(ErrorCode.SCRIPT_ERROR, "boom", "tb", Diagnostics.hint("h"));
      store.insert(queued("r-f", t0.plusMillis(3)));
      store.update(store.get("r-f").orElseThrow().failed(t0, 1L, error, null));
    }
    try (Stores stores = Stores.open(url())) {
      RunStore restarted = stores.store();
      assertEquals(2, restarted.failInFlight(Instant.now()));
      for (String id : List.of("r-q", "r-r")) {
        RunRecord run = restarted.get(id).orElseThrow();
        assertEquals(RunStatus.FAILED, run.status());
        assertTrue(
            run.error().getMessage().contains("service restarted"), run.error().getMessage());
      }
      RunRecord untouched = restarted.get("r-f").orElseThrow();
      assertEquals(ErrorCode.SCRIPT_ERROR, untouched.error().code());
      assertEquals("h", untouched.error().diagnostics().hint());
      assertEquals(3, restarted.list(null, null, 10).size());
      assertEquals(
          List.of("r-f", "r-r", "r-q"),
          restarted.list(RunStatus.FAILED, null, 10).stream().map(RunRecord::runId).toList());
    }
  }

  @Test
  void aKeyIsClaimedOnceUntilItExpires() {
    Instant now = Instant.now();
    try (Stores stores = Stores.open(url())) {
      IdempotencyClaims store = stores.claims();
      assertTrue(
          store.claim("k", "h1", queued("r-1", now), now.minus(Duration.ofHours(24))).isEmpty());
      IdempotencyClaims.Claim again =
          store.claim("k", "h2", queued("r-2", now), now.minus(Duration.ofHours(24))).orElseThrow();
      assertEquals(new IdempotencyClaims.Claim("h1", "r-1"), again);
      // A day later the old claim is dead: the key starts a new run.
      Instant later = now.plus(Duration.ofHours(25));
      assertTrue(
          store
              .claim("k", "h2", queued("r-3", later), later.minus(Duration.ofHours(24)))
              .isEmpty());
      store.withdraw("k", "r-3");
      assertTrue(
          store
              .claim("k", "h4", queued("r-4", later), later.minus(Duration.ofHours(24)))
              .isEmpty());
    }
  }

  @Test
  void expiredResultsAndOldRecordsAreFound() {
    Instant t0 = Instant.parse("2026-11-25T10:00:00Z");
    try (Stores stores = Stores.open(url())) {
      RunStore store = stores.store();
      KeptResults kept = new KeptResults(stores.database());
      store.insert(queued("r-1", t0));
      store.update(
          store
              .get("r-1")
              .orElseThrow()
              .succeeded(
                  t0,
                  1L,
                  null,
                  new RunRecord.Output(1L, null, null, "/x/r-1.arrows", t0.plusSeconds(60))));
      assertTrue(kept.expiredResults(t0.plusSeconds(59)).isEmpty());
      assertEquals("/x/r-1.arrows", kept.expiredResults(t0.plusSeconds(61)).get("r-1"));
      // A record whose result is still kept is not pruned.
      assertEquals(0, kept.prune(t0.plusSeconds(10)));
      kept.forgetResult("r-1");
      assertEquals(1, kept.prune(t0.plusSeconds(10)));
      assertTrue(store.get("r-1").isEmpty());
    }
  }

  @Test
  void textWithANulIsStoredAndLookedUpTheSameWayOnEveryStore() {
    Instant t0 = Instant.parse("2026-11-25T10:00:00Z");
    RunRecord odd =
        RunRecord.queued(
            "r-nul",
            new RunRecord.Asked("query", null, "ns.out", "sub\0claim", t0, 10, 100, null, null));
    try (Stores stores = Stores.open(url())) {
      RunStore store = stores.store();
      store.insert(odd);
      assertEquals("sub\uFFFDclaim", store.get("r-nul").orElseThrow().principal());
      assertEquals(1, store.list(null, "sub\0claim", 10).size(), "looked up as it was stored");
      assertTrue(store.get("r-\0nul").isEmpty(), "an id with a NUL is found nowhere, no failure");
      assertTrue(
          stores
              .claims()
              .claim("sub\0claim\nkey", "h", queued("r-k", t0), t0.minusSeconds(60))
              .isEmpty());
      assertEquals(
          new IdempotencyClaims.Claim("h", "r-k"),
          stores
              .claims()
              .claim("sub\0claim\nkey", "h", queued("r-k2", t0), t0.minusSeconds(60))
              .orElseThrow());
    }
  }

  @Test
  void textLongerThanTheSqliteSchemaNamesIsKeptWhole() {
    // SQLite never enforced its VARCHAR lengths; no store may refuse what it accepted.
    String destination = "ns." + "t".repeat(2000);
    String key = "k".repeat(4000);
    Instant t0 = Instant.parse("2026-11-25T10:00:00Z");
    try (Stores stores = Stores.open(url())) {
      RunRecord run =
          RunRecord.queued(
              "r-long",
              new RunRecord.Asked(
                  "query", "c".repeat(300), destination, "p", t0, 10, 100, null, null));
      assertTrue(stores.claims().claim(key, "h", run, t0.minusSeconds(60)).isEmpty());
      assertEquals(destination, stores.store().get("r-long").orElseThrow().destination());
      assertEquals(
          "r-long",
          stores
              .claims()
              .claim(key, "h", queued("r-2", t0), t0.minusSeconds(60))
              .orElseThrow()
              .runId());
    }
  }
}
