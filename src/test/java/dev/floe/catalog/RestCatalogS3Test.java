package dev.floe.catalog;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.floe.testing.HostileFixtures;
import dev.floe.testing.RestLake;
import dev.floe.testing.TempLake;
import dev.floe.testing.Workloads;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Floe on a real Iceberg REST catalog whose warehouse is on S3 (moto), end to end over HTTP: the
 * catalog contract (browse, query, scan(), time travel, saves committed by the trusted writer,
 * concurrent saves), and a hostile run that hunts for the catalog's and S3's credentials (canaries)
 * and finds none.
 */
@QuarkusTest
@QuarkusTestResource(TempLake.class)
@QuarkusTestResource(value = RestLake.class, restrictToAnnotatedClass = true)
class RestCatalogS3Test extends CatalogContractTest {
  @Override
  protected String catalog() {
    return RestLake.CATALOG;
  }

  @Inject ObjectCache objects;

  @Test
  void theObjectCacheIsTrimmedOfItsLeastUsedFilesAndRefilledOnDemand() {
    String count = "SELECT COUNT(*) AS n FROM f";
    Map<String, Object> body = body("query", count);
    body.put("tables", List.of("f=default.flowers"));
    Workloads.post(body).statusCode(200).body("results.rows[0][0]", equalTo(150));
    ObjectCache.Trim kept = objects.trim(Long.MAX_VALUE);
    assertTrue(kept.bytesBefore() > 0, "the run's files were cached");
    assertEquals(0, kept.filesRemoved(), "under its size, nothing goes");

    ObjectCache.Trim all = objects.trim(1);
    assertTrue(all.filesRemoved() > 0);
    assertEquals(0, all.bytesAfter());
    // The next run fetches what it needs again.
    Workloads.post(body).statusCode(200).body("results.rows[0][0]", equalTo(150));
    assertTrue(objects.trim(Long.MAX_VALUE).bytesBefore() > 0);
  }

  @Test
  void aSaveToANamespaceTheRestCatalogLacksIsRefusedByDefault() {
    Workloads.post(saving(rows(1, 0), "no_such_ns.t", "overwrite"))
        .statusCode(404)
        .body("error_code", equalTo("NAMESPACE_NOT_FOUND"))
        .body("error", containsString("does not create namespaces"));
  }

  @Test
  void aHostileRunFindsNeitherTheCatalogTokenNorTheS3Keys() {
    // The table is granted (its files are in the run), so the search covers what a run can read.
    String control = "FLOECANARY-control-" + System.nanoTime();
    Map<String, Object> params = new HashMap<>();
    params.put("paths", List.of(TempLake.home().resolve("object-cache").toString()));
    params.put("control", control);
    params.put("home", TempLake.home().toString());
    params.put("catalog_db", TempLake.home().resolve("catalog/catalog.db").toString());
    params.put("runners", TempLake.home().resolve("runners").toString());
    Map<String, Object> body =
        body(
            "script",
            "_ = scan('default.flowers').collect()\n"
                + HostileFixtures.fixture("11_read_secrets.py"));
    body.put("params", params);
    body.put("tables", List.of("f=default.flowers"));
    String answer = Workloads.post(body).statusCode(200).extract().asString();
    for (String secret : List.of(RestLake.TOKEN, RestLake.ACCESS_KEY, RestLake.SECRET_KEY)) {
      assertFalse(answer.contains(secret), "a credential leaked into a run: " + secret);
    }
    List<String> hits = new ArrayList<>();
    for (List<Object> row :
        Workloads.post(body)
            .statusCode(200)
            .extract()
            .jsonPath()
            .<List<Object>>getList("results.rows")) {
      @SuppressWarnings("unchecked")
      List<String> found = (List<String>) row.get(2);
      hits.addAll(found);
    }
    assertFalse(hits.isEmpty(), "the control string was not found: the search is broken");
    assertTrue(hits.stream().allMatch(h -> h.startsWith(control)), "found: " + hits);
  }
}
