package dev.floe;

import dev.floe.testing.PythonSuite;
import dev.floe.testing.RestLake;
import dev.floe.testing.TempLake;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
import org.junit.jupiter.api.Test;

/**
 * {@link OleanderSdkTest}'s suite, the hosted SDK unchanged, against a Floe whose lake (the catalog
 * {@code lake}, alias {@code oleander}) is an Iceberg REST catalog with its warehouse on S3: every
 * catalog method, queries, scripts and saves, through the REST catalog and moto.
 */
@QuarkusTest
@QuarkusTestResource(TempLake.class)
@QuarkusTestResource(
    value = RestLake.class,
    initArgs = @ResourceArg(name = "catalog", value = "lake"),
    restrictToAnnotatedClass = true)
class OleanderSdkOnRestTest {

  @TestHTTPResource("/")
  URL url;

  @Test
  void hostedSdkWorksUnchangedOnARestCatalog() throws Exception {
    PythonSuite.run("e2e_sdk", url, 38, RestLake.writerEnv("lake"));
  }
}
