package dev.floe.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.floe.catalog.CatalogRegistry;
import dev.floe.catalog.SaveOutcome;
import dev.floe.catalog.TableName;
import dev.floe.catalog.trusted.SaveMode;
import dev.floe.catalog.trusted.SchemaMode;
import dev.floe.config.AuthConfig;
import dev.floe.config.CatalogsConfig;
import dev.floe.config.FloeConfig;
import dev.floe.error.ErrorCode;
import dev.floe.error.FloeException;
import dev.floe.runs.RunDatabase;
import dev.floe.runs.RunRecord;
import dev.floe.workload.Caller;
import dev.floe.workload.Compute;
import dev.floe.workload.Destination;
import dev.floe.workload.Mode;
import dev.floe.workload.RunLimits;
import dev.floe.workload.TableRead;
import dev.floe.workload.Workload;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * API keys, grants and the audit trail in the run store, every statement of theirs, each surviving
 * a restart (a new instance over the store). On SQLite here; {@link AuthStorePostgresTest} runs the
 * same cases on PostgreSQL.
 */
class AuthStoreTest {
  private static final Instant T0 = Instant.parse("2026-11-25T10:00:00Z");

  @TempDir Path dir;

  /** The store of one test, opened more than once: SQLite here, PostgreSQL in the subclass. */
  String url() {
    return "jdbc:sqlite:" + dir.resolve("runs.db");
  }

  private final ObjectMapper json = new ObjectMapper().findAndRegisterModules();

  private SmallRyeConfig config() {
    return new SmallRyeConfigBuilder()
        .withMapping(FloeConfig.class)
        .withMapping(CatalogsConfig.class)
        .withMapping(AuthConfig.class)
        .withDefaultValues(
            Map.of(
                "floe.home", dir.toString(),
                "floe.catalogs.lake.type", "jdbc",
                "floe.catalogs.lake.aliases", "oleander",
                "floe.auth.audit-retention", "P30D"))
        .build();
  }

  private static Clock at(Instant instant) {
    return Clock.fixed(instant, ZoneOffset.UTC);
  }

  private Grants grants(RunDatabase db) {
    SmallRyeConfig c = config();
    return new Grants(
        db,
        new CatalogRegistry(
            c.getConfigMapping(CatalogsConfig.class), c.getConfigMapping(FloeConfig.class)),
        at(T0));
  }

  private AuditTrail trail(RunDatabase db, Instant now) {
    return new AuditTrail(db, json, config().getConfigMapping(AuthConfig.class), at(now));
  }

  @Test
  void keysAreKeptAsHashesAndSurviveARestartRevocationsIncluded() {
    ApiKeys.Created etl;
    ApiKeys.Created analyst;
    try (RunDatabase db = RunDatabase.open(url())) {
      ApiKeys keys = new ApiKeys(db, at(T0), json);
      etl = keys.create("etl-nightly", "team-a", Set.of("analysts", "etl"), Duration.ofDays(90));
      analyst = keys.create("ann", "ann", Set.of(), null);
      FloeException taken =
          assertThrows(
              FloeException.class, () -> keys.create("etl-nightly", "team-b", Set.of(), null));
      assertEquals(ErrorCode.KEY_EXISTS, taken.code());
      assertEquals(T0, keys.revoke("ann").revokedAt());
      assertEquals(T0, keys.revoke("ann").revokedAt(), "a second revocation changes nothing");
      assertEquals(
          ErrorCode.KEY_NOT_FOUND,
          assertThrows(FloeException.class, () -> keys.revoke("nobody")).code());
    }
    try (RunDatabase db = RunDatabase.open(url())) {
      ApiKeys restarted = new ApiKeys(db, at(T0.plusSeconds(60)), json);
      ApiKeys.ApiKey found = restarted.find(etl.secret());
      assertEquals("etl-nightly", found.name());
      assertEquals("team-a", found.principal());
      assertEquals(Set.of("analysts", "etl"), found.groups());
      assertEquals(T0, found.createdAt());
      assertEquals(T0.plus(Duration.ofDays(90)), found.expiresAt());
      assertNull(found.revokedAt());
      ApiKeys.ApiKey revoked = restarted.find(analyst.secret());
      assertEquals(T0, revoked.revokedAt());
      assertNull(revoked.expiresAt());
      assertNull(restarted.find(ApiKeys.newSecret()));
      assertEquals(
          List.of("ann", "etl-nightly"), restarted.list().stream().map(k -> k.name()).toList());
    }
  }

  @Test
  void keysAndGrantsChangedOnOneReplicaReachAnotherAtItsNextRefresh() {
    try (RunDatabase a = RunDatabase.open(url());
        RunDatabase b = RunDatabase.open(url())) {
      ApiKeys keysA = new ApiKeys(a, at(T0), json);
      Grants grantsA = grants(a);
      ApiKeys keysB = new ApiKeys(b, at(T0), json);
      Grants grantsB = grants(b);
      AuthRefresh refreshB = new AuthRefresh(b, keysB, grantsB);
      assertTrue(refreshB.refresh(), "the first look loads");
      assertFalse(refreshB.refresh(), "nothing changed since");

      ApiKeys.Created made = keysA.create("etl", "team-a", Set.of("etl"), null);
      grantsA.add("etl", "read", "lake.sales");
      assertNull(keysB.find(made.secret()), "B has not looked yet");
      assertTrue(refreshB.refresh());
      assertEquals("team-a", keysB.find(made.secret()).principal());
      assertTrue(grantsB.reachOf("team-a", Set.of("etl"), false).reads("lake", "sales", "t"));

      keysA.revoke("etl");
      grantsA.remove("etl", "read", "lake.sales");
      assertTrue(refreshB.refresh());
      assertEquals("revoked", keysB.find(made.secret()).status(T0));
      assertFalse(grantsB.reachOf("team-a", Set.of("etl"), false).reads("lake", "sales", "t"));

      // A grant B adds that A added a moment ago (B had not looked yet) is there, once.
      grantsA.add("etl", "write", "lake.sales");
      assertFalse(grantsB.add("etl", "write", "lake.sales").created());
      assertEquals(1, grantsB.list("etl").size());
    }
  }

  @Test
  void theAdminKeyIsAdoptedReplacedAndNeverBroughtBackOnceRevoked() {
    String first = ApiKeys.newSecret();
    String second = ApiKeys.newSecret();
    try (RunDatabase db = RunDatabase.open(url())) {
      ApiKeys keys = new ApiKeys(db, at(T0), json);
      assertTrue(keys.adopt("admin", "admin", first));
      assertTrue(keys.adopt("admin", "admin", first), "the same key again: nothing to do");
      assertTrue(keys.adopt("admin", "root", second), "the file holds another key");
      assertNull(keys.find(first));
      assertEquals("root", keys.find(second).principal());
    }
    try (RunDatabase db = RunDatabase.open(url())) {
      ApiKeys restarted = new ApiKeys(db, at(T0), json);
      assertNull(restarted.find(first));
      assertEquals("root", restarted.find(second).principal());
      assertTrue(restarted.usable("admin"));
      restarted.revoke("admin");
      assertFalse(restarted.adopt("admin", "root", second));
      assertFalse(restarted.usable("admin"));
    }
  }

  @Test
  void grantsAreAddedOnceRemovedAndSurviveARestart() {
    try (RunDatabase db = RunDatabase.open(url())) {
      Grants grants = grants(db);
      assertTrue(grants.add("team-a", "write", "lake.team_a").created());
      assertFalse(grants.add("team-a", "WRITE", "lake.team_a").created(), "already granted");
      assertEquals(
          "lake", grants.add("analysts", "read", "oleander.default.flowers").grant().catalog());
      assertTrue(grants.add("analysts", "read", "lake").created());
      grants.remove("analysts", "read", "lake");
      assertEquals(
          ErrorCode.GRANT_NOT_FOUND,
          assertThrows(FloeException.class, () -> grants.remove("analysts", "read", "lake"))
              .code());
    }
    try (RunDatabase db = RunDatabase.open(url())) {
      Grants restarted = grants(db);
      assertEquals(
          List.of("analysts read lake.default.flowers", "team-a write lake.team_a"),
          restarted.list(null).stream()
              .map(g -> g.subject() + " " + g.privilege().wire() + " " + g.scope())
              .toList());
      assertEquals(T0, restarted.list("team-a").get(0).createdAt());
      assertTrue(
          restarted.reachOf("ann", Set.of("analysts"), false).reads("lake", "default", "flowers"));
      assertFalse(
          restarted.reachOf("ann", Set.of("analysts"), false).writes("lake", "default", "flowers"));
    }
  }

  @Test
  void theAuditTrailIsFoundByEveryFilterNewestFirstAndPrunedPastItsRetention() {
    Workload saving =
        new Workload(
            Mode.SCRIPT,
            "result = scan('default.flowers')",
            List.of(),
            Map.of(),
            "lake",
            new Destination(
                TableName.parse("team_a.out", "destination"), SaveMode.APPEND, SchemaMode.STRICT),
            new RunLimits(Duration.ofSeconds(30), 512, 10, 1000),
            Compute.local(),
            false,
            false,
            null,
            new Caller("team-a", Set.of(), false, "key:etl", null, Caller.Standing.PERMANENT));
    RunRecord ended =
        RunRecord.queued(
                "r-1",
                new RunRecord.Asked(
                    "script", "lake", "team_a.out", "team-a", T0, 10, 100, null, null))
            .running(T0)
            .succeeded(
                T0.plusSeconds(1),
                1000L,
                null,
                new RunRecord.Output(
                    3L,
                    new SaveOutcome(TableName.parse("team_a.out", "t"), 3, "append", "42", true),
                    null,
                    null,
                    null));
    try (RunDatabase db = RunDatabase.open(url())) {
      trail(db, T0.minus(Duration.ofDays(40)))
          .request(
              null, "10.0.0.9", "GET /api/v1/catalogs", null, 401, ErrorCode.UNAUTHENTICATED, null);
      AuditTrail trail = trail(db, T0);
      trail.request(
          saving.caller(), "10.0.0.1", "POST /api/v1/warehouse/polars", saving, 200, null, "r-1");
      trail.ended(ended, saving, List.of(new TableRead("lake.default.flowers", "7")));
      trail(db, T0.plusSeconds(5))
          .request(
              saving.caller(),
              "10.0.0.1",
              "GET /api/v1/catalogs/lake/namespaces/" + "x".repeat(1000),
              null,
              404,
              ErrorCode.NAMESPACE_NOT_FOUND,
              null);
    }
    try (RunDatabase db = RunDatabase.open(url())) {
      AuditTrail restarted = trail(db, T0.plusSeconds(10));
      List<AuditTrail.Entry> all =
          restarted.find(new AuditTrail.Query(null, null, null, null, null, 10));
      assertEquals(4, all.size());
      assertTrue(all.get(0).action().endsWith("x".repeat(1000)), "kept whole, newest first");
      assertEquals("failed", all.get(0).outcome());
      assertEquals("refused", all.get(3).outcome());
      assertNull(all.get(3).principal());
      assertTrue(all.get(1).id() > all.get(2).id(), "ids increase as entries are appended");

      AuditTrail.Entry run = all.get(1);
      assertEquals("run", run.action());
      assertEquals(List.of(new TableRead("lake.default.flowers", "7")), run.tables());
      assertEquals("lake.team_a.out", run.destination());
      assertEquals("42", run.snapshotId());
      assertNull(run.status());
      assertEquals(AuditTrail.sha256(saving.source()), run.scriptSha256());
      AuditTrail.Entry request = all.get(2);
      assertEquals(200, request.status());
      assertEquals("script", request.mode());
      assertEquals("key:etl", request.credential());
      assertEquals("10.0.0.1", request.remote());

      assertEquals(
          2, restarted.find(new AuditTrail.Query(null, "r-1", null, null, null, 10)).size());
      assertEquals(
          3, restarted.find(new AuditTrail.Query("team-a", null, null, null, null, 10)).size());
      assertEquals(
          List.of("run", "POST /api/v1/warehouse/polars"),
          restarted
              .find(new AuditTrail.Query("team-a", null, T0, T0.plusSeconds(5), "ok", 10))
              .stream()
              .map(AuditTrail.Entry::action)
              .toList());
      assertEquals(
          1, restarted.find(new AuditTrail.Query(null, null, null, null, "refused", 10)).size());
      assertEquals(1, restarted.find(new AuditTrail.Query(null, null, null, null, null, 1)).size());

      restarted.sweep(); // 30 days' retention: the 40-day-old refusal goes
      List<AuditTrail.Entry> kept =
          restarted.find(new AuditTrail.Query(null, null, null, null, null, 10));
      assertEquals(3, kept.size());
      assertNotNull(kept.get(2).principal());
    }
  }
}
