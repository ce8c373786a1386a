package dev.floe.auth;

import dev.floe.testing.TempPostgres;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.enterprise.inject.Typed;

/**
 * {@link AuthenticationTest}'s cases (keys made, listed, revoked, expired; the admin key; who may
 * manage keys and grants and read the audit) on a Floe whose run store is a PostgreSQL database.
 *
 * <p>{@code @Typed}: test classes are CDI beans, looked up by their class when a test runs; without
 * it this class would also be a {@code AuthenticationTest} bean, and looking that one up ambiguous.
 */
@QuarkusTest
@Typed(AuthenticationOnPostgresTest.class)
@QuarkusTestResource(value = TempPostgres.class, restrictToAnnotatedClass = true)
class AuthenticationOnPostgresTest extends AuthenticationTest {}
