package dev.floe.api;

import static dev.floe.testing.Workloads.post;
import static dev.floe.testing.Workloads.saving;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.floe.testing.TempLake;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Save requests Floe refuses before anything runs, whatever the catalog. What saves do on each
 * catalog type (create, overwrite, append, schema modes, all-or-nothing, concurrency) is the
 * catalog contract: {@code dev.floe.catalog.CatalogContractTest}.
 */
@QuarkusTest
@QuarkusTestResource(TempLake.class)
class SaveTest {

  private static String freshTable() {
    return "saves_" + UUID.randomUUID().toString().replace("-", "").substring(0, 8) + ".events";
  }

  private static final String ONE_ROW = "result = pl.DataFrame({'k': [1]})\n";

  @Test
  void poisonedDestinationsAreRefusedBeforeAnythingRuns() {
    for (String bad : List.of("../etc.passwd", "a.b.c", "ns.'t'", ".t", "ns.", "ns", "a.b;drop")) {
      post(saving(ONE_ROW, bad, "overwrite"))
          .statusCode(400)
          .body("error_code", equalTo("INVALID_REQUEST"))
          .body("error", containsString("namespace.table"));
    }
  }

  @Test
  void schemaOverwriteNeedsSaveModeOverwrite() {
    Map<String, Object> body = saving(ONE_ROW, freshTable(), "append");
    body.put("schemaMode", "overwrite");
    post(body)
        .statusCode(400)
        .body("error_code", equalTo("INVALID_REQUEST"))
        .body("error", containsString("saveMode=overwrite"));
  }
}
