package dev.floe.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.floe.catalog.Reach;
import dev.floe.catalog.TableName;
import dev.floe.catalog.trusted.SaveMode;
import dev.floe.catalog.trusted.SchemaMode;
import dev.floe.error.ErrorCode;
import dev.floe.error.FloeException;
import dev.floe.workload.Caller;
import dev.floe.workload.LimitsPolicy;
import dev.floe.workload.LimitsPolicyTest;
import dev.floe.workload.Mode;
import dev.floe.workload.TableBinding;
import dev.floe.workload.Workload;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A request's shape, names, aliases and limits, checked without the HTTP stack. */
class RequestMapperTest {
  private final RequestMapper mapper =
      new RequestMapper(new LimitsPolicy(LimitsPolicyTest.defaults(), null));

  private static PolarsRequest query(String sql, List<TableItem> tables) {
    return only(Mode.QUERY, sql, tables, null, null);
  }

  private static PolarsRequest script(
      String source, String destination, SaveMode save, SchemaMode schema, RequestLimits limits) {
    return new PolarsRequest(
        Mode.SCRIPT,
        null,
        null,
        source,
        Map.of("k", 1),
        null,
        null,
        null,
        null,
        " lake ",
        destination,
        save,
        schema,
        limits,
        true,
        "nightly",
        true);
  }

  /** A request with only these fields set; the others absent, as from a client that omits them. */
  private static PolarsRequest only(
      Mode mode, String query, List<TableItem> tables, String script, Integer clusterSize) {
    return only(mode, query, tables, script, clusterSize, null);
  }

  private static PolarsRequest only(
      Mode mode,
      String query,
      List<TableItem> tables,
      String script,
      Integer clusterSize,
      String jobName) {
    return new PolarsRequest(
        mode,
        query,
        tables,
        script,
        null,
        null,
        null,
        clusterSize,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        jobName,
        null);
  }

  private static String refused(PolarsRequest request) {
    FloeException e =
        assertThrows(
            FloeException.class,
            () ->
                new RequestMapper(new LimitsPolicy(LimitsPolicyTest.defaults(), null))
                    .toWorkload(request, Caller.UNAUTHENTICATED_ADMIN));
    assertEquals(ErrorCode.INVALID_REQUEST, e.code());
    return e.getMessage();
  }

  @Test
  void aQueryWithBothBindingFormsAndDefaults() {
    Workload w =
        mapper.toWorkload(
            query(
                "SELECT 1",
                List.of(
                    TableItem.of("f = default.flowers"),
                    TableItem.of("default.other"),
                    TableItem.of(Map.of("alias", "s", "table", "ns.t", "snapshotId", 7)))),
            new Caller("someone", Set.of(), false, "key:k", Reach.ALL, Caller.Standing.PERMANENT));
    assertEquals(Mode.QUERY, w.mode());
    assertEquals(
        List.of(
            new TableBinding("f", new TableName("default", "flowers"), null),
            new TableBinding("other", new TableName("default", "other"), null),
            new TableBinding("s", new TableName("ns", "t"), 7L)),
        w.tables());
    assertEquals(Map.of(), w.params());
    assertNull(w.catalog());
    assertNull(w.destination());
    assertFalse(w.dryRun());
    assertNull(w.jobName());
    assertFalse(w.profile());
    assertEquals(Duration.ofSeconds(300), w.limits().timeout());
    assertEquals("someone", w.principal());
  }

  @Test
  void aScriptSaveWithModesLimitsAndATrimmedCatalog() {
    Workload w =
        mapper.toWorkload(
            script(
                "result = 1",
                " analytics.out ",
                SaveMode.APPEND,
                SchemaMode.MERGE,
                new RequestLimits(3600, 1, 5, null)),
            Caller.UNAUTHENTICATED_ADMIN);
    assertEquals("lake", w.catalog());
    assertEquals(new TableName("analytics", "out"), w.destination().table());
    assertEquals(SaveMode.APPEND, w.destination().saveMode());
    assertEquals(SchemaMode.MERGE, w.destination().schemaMode());
    assertEquals(5, w.limits().maxRows());
    assertEquals(Duration.ofSeconds(3600), w.limits().timeout());
    assertTrue(w.dryRun());
    assertEquals("nightly", w.jobName());
    assertTrue(w.profile());
    assertEquals(
        SaveMode.OVERWRITE,
        mapper
            .toWorkload(script("r", "a.b", null, null, null), Caller.UNAUTHENTICATED_ADMIN)
            .destination()
            .saveMode());
  }

  @Test
  void missingOrMisplacedSourcesNameTheFix() {
    assertTrue(refused(null).contains("the body is empty"));
    assertTrue(
        refused(only(null, "SELECT 1", null, null, null))
            .contains("set mode to \"query\" or \"script\""));
    assertTrue(refused(query("  ", null)).contains("without query"));
    assertTrue(
        refused(only(Mode.QUERY, "SELECT 1", null, "x = 1", null))
            .contains("Cannot use script with mode=query"));
  }

  @Test
  void badAliasesAndNamesAreRefused() {
    assertTrue(
        refused(query("SELECT 1", List.of(TableItem.of("1f=default.flowers"))))
            .contains("the alias must be letters, digits and underscores"));
    assertTrue(
        refused(
                query(
                    "SELECT 1", List.of(TableItem.of("f=default.a"), TableItem.of("f=default.b"))))
            .contains("Cannot bind alias 'f' twice"));
    assertTrue(
        refused(query("SELECT 1", List.of(TableItem.of("f=a.b.c"))))
            .contains("multi-level namespaces are not supported yet"));
    assertTrue(
        refused(query("SELECT 1", List.of(TableItem.of("f=default.fl-owers"))))
            .contains("two parts of letters, digits and underscores"));
    assertTrue(
        refused(
                query(
                    "SELECT 1",
                    List.of(
                        TableItem.of(
                            Map.of("alias", "f", "table", "default.flowers", "snapshotId", "x")))))
            .contains("it must be a snapshot id, a whole number"));
    assertTrue(
        refused(script("r", "nodot", null, null, null)).contains("Cannot use destination 'nodot'"));
    assertThrows(IllegalArgumentException.class, () -> TableItem.of(Map.of("alias", "f", "x", 1)));
    assertThrows(IllegalArgumentException.class, () -> TableItem.of(5));
  }

  @Test
  void limitsAtAndAboveTheirCapsAndComputeCounts() {
    assertTrue(
        refused(script("r", null, null, null, new RequestLimits(3601, null, null, null)))
            .contains("this server's cap is 3600"));
    assertTrue(
        refused(script("r", null, null, null, new RequestLimits(null, 0, null, null)))
            .contains("limits.memoryMb = 0"));
    assertTrue(
        refused(only(Mode.SCRIPT, null, null, "r", 0))
            .contains("clusterSize = 0: it must be at least 1"));
    assertTrue(
        refused(script("r", "a.b", SaveMode.APPEND, SchemaMode.OVERWRITE, null))
            .contains("schemaMode=overwrite with saveMode=append"));
  }

  @Test
  void aJobNameIsOneShortPrintableLine() {
    for (String bad : List.of("", "   ", "x".repeat(201), "two\nlines")) {
      PolarsRequest asked = only(Mode.QUERY, "SELECT 1", null, null, null, bad);
      assertEquals(
          "jobName must be 1 to 200 printable characters on one line (it names the run's job in"
              + " its lineage events); shorten it, or leave it out to name the job by its source.",
          refused(asked),
          bad);
    }
  }
}
