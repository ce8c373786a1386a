package dev.floe;

import dev.floe.testing.PythonSuite;
import dev.floe.testing.TempLake;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
import org.junit.jupiter.api.Test;

/**
 * The `floe` CLI (clients/python, installed into the build's dev venv) as a user runs it: the real
 * console script in a subprocess against this Floe. src/test/python/e2e_cli covers every flag,
 * every output format read back and compared with the JSON answer, every exit code, scripts from
 * stdin, the help text, runs, dry runs, tables, and what a terminal shows.
 */
@QuarkusTest
@QuarkusTestResource(TempLake.class)
class CliTest {

  @TestHTTPResource("/")
  URL url;

  @Test
  void cliWorksAgainstTheService() throws Exception {
    PythonSuite.run("e2e_cli", url, 85);
  }
}
