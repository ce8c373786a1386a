package dev.floe;

import dev.floe.testing.PythonSuite;
import dev.floe.testing.TempLake;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
import org.junit.jupiter.api.Test;

/**
 * The hosted service's published Python SDK (PyPI oleanderhq-sdk 0.8.0, installed unchanged in the
 * build's dev venv) against this Floe: src/test/python/e2e_sdk drives {@code polars()} in query and
 * script mode, saves, every core error class, and every catalog method through the SDK's own
 * request building and response models, so any wire difference fails here as it would for a user.
 */
@QuarkusTest
@QuarkusTestResource(TempLake.class)
class OleanderSdkTest {

  @TestHTTPResource("/")
  URL url;

  @Test
  void hostedSdkWorksUnchanged() throws Exception {
    PythonSuite.run("e2e_sdk", url, 38);
  }
}
