package dev.floe.runs;

/** {@link KeyedRunsTest}'s cases on a run store in PostgreSQL: a new database for each test. */
class KeyedRunsPostgresTest extends KeyedRunsTest {
  @Override
  String storeUrl() {
    return postgres("floe_runs_test");
  }
}
