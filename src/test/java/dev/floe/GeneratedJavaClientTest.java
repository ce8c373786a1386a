package dev.floe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.floe.client.ApiClient;
import dev.floe.client.ApiException;
import dev.floe.client.api.CatalogsApi;
import dev.floe.client.api.WorkloadsApi;
import dev.floe.client.model.ErrorCode;
import dev.floe.client.model.ErrorResponse;
import dev.floe.client.model.Mode;
import dev.floe.client.model.PolarsRequest;
import dev.floe.client.model.PolarsResponse;
import dev.floe.client.model.SaveMode;
import dev.floe.client.model.Saved;
import dev.floe.client.model.SchemaMode;
import dev.floe.client.model.TableItem;
import dev.floe.client.model.TableObject;
import dev.floe.testing.TempLake;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.net.URL;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A Java client generated from the committed OpenAPI spec (openapi/floe.yaml, by
 * openapi-generator's `java`/`native` library at generate-test-sources) calls Floe: what a user of
 * the spec gets must work against the real service: a query, a script, a save, and errors in the
 * typed error model.
 */
@QuarkusTest
@QuarkusTestResource(TempLake.class)
class GeneratedJavaClientTest {
  @TestHTTPResource("/")
  URL url;

  ApiClient client;
  WorkloadsApi workloads;
  CatalogsApi catalogs;

  @BeforeEach
  void client() {
    URI base = URI.create(url.toString());
    client = new ApiClient();
    client.setScheme(base.getScheme());
    client.setHost(base.getHost());
    client.setPort(base.getPort());
    client.setBasePath("");
    client.setRequestInterceptor(
        request -> request.header("Authorization", TempLake.adminAuthorization()));
    workloads = new WorkloadsApi(client);
    catalogs = new CatalogsApi(client);
  }

  /** No Idempotency-Key: the spec's optional header parameter. */
  private PolarsResponse run(PolarsRequest request) throws ApiException {
    return workloads.runPolars(request, null);
  }

  @Test
  void queryWithBothBindingForms() throws ApiException {
    PolarsResponse r =
        run(
            new PolarsRequest()
                .mode(Mode.QUERY)
                .query(
                    "SELECT species, AVG(petal_length) AS avg_petal_length FROM flowers"
                        + " GROUP BY species ORDER BY species")
                .tables(List.of(new TableItem("flowers=default.flowers"))));
    assertTrue(r.getSuccess());
    assertEquals(List.of("species", "avg_petal_length"), r.getResults().getColumns());
    assertEquals(List.of("String", "Float64"), r.getResults().getColumnTypes());
    assertEquals(3L, r.getRowCount());
    List<List<Object>> rows = r.getResults().getRows();
    assertEquals(3, rows.size());
    assertEquals(
        List.of("setosa", "versicolor", "virginica"),
        rows.stream().map(row -> row.get(0)).toList());
    assertEquals(1.462, ((Number) rows.get(0).get(1)).doubleValue(), 1e-9);
    assertEquals("local", r.getCompute().getMode());
    assertFalse(r.getCompute().getDistributed());
    assertNotNull(r.getRunId());

    PolarsResponse counted =
        run(
            new PolarsRequest()
                .mode(Mode.QUERY)
                .query("SELECT COUNT(*) AS n FROM f")
                .tables(
                    List.of(new TableItem(new TableObject().alias("f").table("default.flowers")))));
    assertEquals(150, ((Number) counted.getResults().getRows().get(0).get(0)).intValue());
  }

  @Test
  void scriptWithParams() throws ApiException {
    PolarsResponse r =
        run(
            new PolarsRequest()
                .mode(Mode.SCRIPT)
                .script(
                    "result = scan('default.flowers')"
                        + ".filter(pl.col('petal_length') > float(params['min'])).select(pl.len())")
                .params(Map.of("min", 6.0)));
    assertTrue(r.getSuccess());
    assertEquals(1L, r.getRowCount());
    assertEquals(1, r.getResults().getRows().size());
    assertEquals(List.of("len"), r.getResults().getColumns());
    assertEquals(9, ((Number) r.getResults().getRows().get(0).get(0)).intValue());
  }

  @Test
  void saveOverwriteThenAppend() throws ApiException {
    String destination =
        "genjava_" + UUID.randomUUID().toString().replace("-", "").substring(0, 8) + ".setosa";
    PolarsRequest request =
        new PolarsRequest()
            .mode(Mode.QUERY)
            .query("SELECT * FROM flowers WHERE species = 'setosa'")
            .tables(List.of(new TableItem("flowers=default.flowers")))
            .destination(destination)
            .saveMode(SaveMode.OVERWRITE)
            .schemaMode(SchemaMode.STRICT);
    Saved first = run(request).getSaved();
    assertNotNull(first);
    assertEquals(destination, first.getTable());
    assertEquals(50L, first.getRowsWritten());
    assertEquals("overwrite", first.getMode());
    assertTrue(first.getSnapshotId().matches("\\d+"), first.getSnapshotId());

    Saved second = run(request.saveMode(SaveMode.APPEND)).getSaved();
    assertNotNull(second);
    assertEquals("append", second.getMode());
    assertNotEquals(first.getSnapshotId(), second.getSnapshotId());

    PolarsResponse counted =
        run(
            new PolarsRequest()
                .mode(Mode.QUERY)
                .query("SELECT COUNT(*) AS n FROM t")
                .tables(List.of(new TableItem("t=" + destination))));
    assertEquals(100, ((Number) counted.getResults().getRows().get(0).get(0)).intValue());
  }

  @Test
  void errorsDeserializeIntoTheTypedErrorModel() throws Exception {
    ApiException e =
        assertThrows(
            ApiException.class,
            () ->
                run(
                    new PolarsRequest()
                        .mode(Mode.QUERY)
                        .query("SELECT * FROM x")
                        .tables(List.of(new TableItem("x=default.nope")))));
    assertEquals(404, e.getCode());
    ErrorResponse error =
        client.getObjectMapper().readValue(e.getResponseBody(), ErrorResponse.class);
    assertFalse(error.getSuccess());
    assertEquals(ErrorCode.TABLE_NOT_FOUND, error.getErrorCode());
    assertTrue(error.getError().contains("flowers"), error.getError());
  }

  @Test
  void catalogEndpoints() throws ApiException {
    assertTrue(catalogs.listNamespaces("lake").getNamespaces().contains("default"));
    var size = catalogs.getTableSize("lake", "default", "flowers", null, null, null);
    assertEquals("150", size.getRecordCount());
    assertNotNull(
        catalogs.getTableMetadata("lake", "default", "flowers").getTable().get("schemas"));
  }
}
