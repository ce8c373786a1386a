package dev.floe.api;

import dev.floe.testing.TempPostgres;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.enterprise.inject.Typed;

/**
 * {@link RunsTest}'s cases (async runs, logs, cancel, failures, Idempotency-Key, dry runs) on a
 * Floe whose run store is a PostgreSQL database.
 *
 * <p>{@code @Typed}: test classes are CDI beans, looked up by their class when a test runs; without
 * it this class would also be a {@code RunsTest} bean, and looking that one up ambiguous.
 */
@QuarkusTest
@Typed(RunsOnPostgresTest.class)
@QuarkusTestResource(value = TempPostgres.class, restrictToAnnotatedClass = true)
class RunsOnPostgresTest extends RunsTest {}
