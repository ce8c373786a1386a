package dev.floe.runs;

/** {@link RunLifecycleTest}'s cases on a run store in PostgreSQL: a new database for each test. */
class RunLifecyclePostgresTest extends RunLifecycleTest {
  @Override
  String storeUrl() {
    return postgres("floe_runs_test");
  }
}
