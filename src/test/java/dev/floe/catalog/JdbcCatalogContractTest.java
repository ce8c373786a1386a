package dev.floe.catalog;

import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.floe.testing.TempLake;
import dev.floe.testing.Workloads;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The catalog contract on the embedded catalog: Iceberg JDBC on SQLite, a local warehouse. */
@QuarkusTest
@QuarkusTestResource(TempLake.class)
class JdbcCatalogContractTest extends CatalogContractTest {
  @Override
  protected String catalog() {
    return "lake";
  }

  @Test
  void theEmbeddedCatalogCreatesANamespaceASaveNames() {
    String table = "ns_" + UUID.randomUUID().toString().replace("-", "").substring(0, 8) + ".t";
    Workloads.post(saving(rows(4, 0), table, "overwrite"))
        .statusCode(200)
        .body("saved.rows_written", equalTo(4));
    assertEquals(4, Workloads.rowCount(table));
  }
}
