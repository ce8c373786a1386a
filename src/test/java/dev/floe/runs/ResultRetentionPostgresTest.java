package dev.floe.runs;

/**
 * {@link ResultRetentionTest}'s cases on a run store in PostgreSQL: a new database for each test.
 */
class ResultRetentionPostgresTest extends ResultRetentionTest {
  @Override
  String storeUrl() {
    return postgres("floe_runs_test");
  }
}
