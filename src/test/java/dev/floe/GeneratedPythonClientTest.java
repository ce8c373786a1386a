package dev.floe;

import dev.floe.testing.PythonSuite;
import dev.floe.testing.TempLake;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
import org.junit.jupiter.api.Test;

/**
 * A Python client generated from the committed OpenAPI spec (openapi/floe.yaml, by
 * openapi-generator's `python` generator at generate-test-sources, into
 * target/generated-python-client) calls Floe: src/test/python/e2e_generated_client runs a query, a
 * script, a save and error cases, asserting the typed models, errors included.
 */
@QuarkusTest
@QuarkusTestResource(TempLake.class)
class GeneratedPythonClientTest {

  @TestHTTPResource("/")
  URL url;

  @Test
  void generatedPythonClientWorks() throws Exception {
    PythonSuite.run("e2e_generated_client", url, 9);
  }
}
