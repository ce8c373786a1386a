package dev.floe.auth;

import dev.floe.testing.TempPostgres;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * {@link AuthenticationTest}'s cases (keys made, listed, revoked, expired; the admin key; who may
 * manage keys and grants and read the audit) on a Floe whose run store is a PostgreSQL database.
 */
@QuarkusTest
@QuarkusTestResource(value = TempPostgres.class, restrictToAnnotatedClass = true)
class AuthenticationOnPostgresTest extends AuthenticationTest {}
