package dev.floe.api;

import dev.floe.testing.TempPostgres;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * {@link RunsTest}'s cases (async runs, logs, cancel, failures, Idempotency-Key, dry runs) on a
 * Floe whose run store is a PostgreSQL database.
 */
@QuarkusTest
@QuarkusTestResource(value = TempPostgres.class, restrictToAnnotatedClass = true)
class RunsOnPostgresTest extends RunsTest {}
