package dev.floe.runs;

import dev.floe.testing.TempPostgres;

/** {@link RunStoreTest}'s cases on a run store in PostgreSQL: a new database for each test. */
class RunStorePostgresTest extends RunStoreTest {
  private String url;

  @Override
  String url() {
    if (url == null) {
      url = TempPostgres.newDatabase("floe_runs_test");
    }
    return url;
  }
}
