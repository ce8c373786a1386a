package dev.floe.runs;

import dev.floe.testing.TempPostgres;

/** {@link RunLifecycleTest}'s cases on a run store in PostgreSQL: a new database for each test. */
class RunLifecyclePostgresTest extends RunLifecycleTest {
  private String url;

  @Override
  String storeUrl() {
    if (url == null) {
      url = TempPostgres.newDatabase("floe_runs_test");
    }
    return url;
  }
}
