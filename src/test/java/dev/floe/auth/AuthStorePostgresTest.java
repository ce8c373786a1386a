package dev.floe.auth;

import dev.floe.testing.TempPostgres;

/** {@link AuthStoreTest}'s cases on a run store in PostgreSQL: a new database for each test. */
class AuthStorePostgresTest extends AuthStoreTest {
  private String url;

  @Override
  String url() {
    if (url == null) {
      url = TempPostgres.newDatabase("floe_auth_test");
    }
    return url;
  }
}
