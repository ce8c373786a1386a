package dev.floe;

import dev.floe.testing.PythonSuite;
import dev.floe.testing.TempLake;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
import org.junit.jupiter.api.Test;

/**
 * Query-mode correctness against an oracle: src/test/python/e2e_oracle writes a generated
 * multi-table data set into a fresh namespace of this run's lake (and to Parquet), then runs each
 * of its queries through this Floe over HTTP and through DuckDB over the Parquet copies, and
 * compares the answers.
 */
@QuarkusTest
@QuarkusTestResource(TempLake.class)
class DuckDbOracleTest {

  @TestHTTPResource("/")
  URL url;

  @Test
  void floeAgreesWithDuckDb() throws Exception {
    PythonSuite.run("e2e_oracle", url, 13);
  }
}
