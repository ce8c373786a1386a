package dev.floe.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;

import dev.floe.catalog.CatalogRegistry;
import dev.floe.testing.TempLake;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.DataFiles;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Browsing the lake over REST, with the hosted SDK's field names. */
@QuarkusTest
@QuarkusTestResource(TempLake.class)
class CatalogResourceTest {
  private static final String BASE = "/api/v1/catalogs";
  private static final TableIdentifier PARTED = TableIdentifier.of("browse", "parted");

  @Inject CatalogRegistry catalogs;

  /** A partitioned table whose data files do not exist: sizes can only come from its manifests. */
  @BeforeEach
  void partitionedTable() {
    var catalog = catalogs.get("lake").catalog();
    if (catalog.tableExists(PARTED)) {
      return;
    }
    if (!((SupportsNamespaces) catalog).namespaceExists(Namespace.of("browse"))) {
      ((SupportsNamespaces) catalog).createNamespace(Namespace.of("browse"));
    }
    Schema schema =
        new Schema(
            Types.NestedField.optional(1, "species", Types.StringType.get()),
            Types.NestedField.optional(2, "n", Types.LongType.get()));
    PartitionSpec spec = PartitionSpec.builderFor(schema).identity("species").build();
    Table table =
        catalog.createTable(
            PARTED, schema, spec, Map.of("s3.secret-access-key", "canary-secret", "owner", "qa"));
    var append = table.newAppend();
    for (String species : List.of("setosa", "setosa", "virginica")) {
      append.appendFile(
          DataFiles.builder(spec)
              .withPath("/nonexistent/" + species + "-" + System.nanoTime() + ".parquet")
              .withFileSizeInBytes(1000)
              .withRecordCount(10)
              .withPartitionPath("species=" + species)
              .build());
    }
    append.commit();
  }

  @Test
  void listCatalogsWithAndWithoutCounts() {
    given()
        .get(BASE)
        .then()
        .statusCode(200)
        .body("ok", equalTo(true))
        .body("registeredCatalogs.name", hasItem("lake"))
        .body("registeredCatalogs[0].type", equalTo("jdbc"))
        .body("catalogs.size()", equalTo(0));
    given()
        .get(BASE + "?counts=true")
        .then()
        .statusCode(200)
        .body(
            "catalogs",
            hasItem(Map.of("catalog", "lake", "namespace", "default", "table", "flowers")));
  }

  @Test
  void namespacesAndTablesAlsoUnderTheSdksDefaultCatalogName() {
    given()
        .get(BASE + "/oleander/namespaces")
        .then()
        .statusCode(200)
        .body("catalog", equalTo("lake"))
        .body("namespaces", hasItem("default"));
    given()
        .get(BASE + "/lake/namespaces/default/tables")
        .then()
        .statusCode(200)
        .body(
            "tables",
            hasItem(Map.of("catalog", "lake", "namespace", "default", "table", "flowers")));
  }

  @Test
  void metadataIsIcebergsOwnWithoutCredentials() {
    given()
        .get(BASE + "/lake/namespaces/browse/tables/parted")
        .then()
        .statusCode(200)
        .body("table.format-version", equalTo(2))
        .body("table.schemas[0].fields.name", equalTo(List.of("species", "n")))
        .body("table.partition-specs[0].fields[0].name", equalTo("species"))
        .body("table.properties.owner", equalTo("qa"))
        .body(not(containsString("canary-secret")));
  }

  @Test
  void sizeFromManifestsForTheTableAndForAPartition() {
    given()
        .get(BASE + "/lake/namespaces/browse/tables/parted/size")
        .then()
        .statusCode(200)
        .body("sizeBytes", equalTo("3000"))
        .body("recordCount", equalTo("30"))
        .body("dataFileCount", equalTo(3));
    given()
        .queryParam("partitionKey", "species")
        .queryParam("partitionValue", "setosa")
        .get(BASE + "/lake/namespaces/browse/tables/parted/size")
        .then()
        .statusCode(200)
        .body("recordCount", equalTo("20"))
        .body("dataFileCount", equalTo(2))
        .body("partitionFilters", equalTo(List.of(Map.of("key", "species", "value", "setosa"))));
  }

  @Test
  void sizeOfAnEarlierSnapshot() {
    String first =
        given()
            .get(BASE + "/lake/namespaces/default/tables/flowers")
            .then()
            .extract()
            .jsonPath()
            .getString("table.snapshots[0].snapshot-id");
    given()
        .queryParam("snapshotId", first)
        .get(BASE + "/lake/namespaces/default/tables/flowers/size")
        .then()
        .statusCode(200)
        .body("snapshotId", equalTo(first))
        .body("recordCount", equalTo("150"));
  }

  @Test
  void errorsNameWhatExists() {
    given()
        .get(BASE + "/nope/namespaces")
        .then()
        .statusCode(404)
        .body("error_code", equalTo("CATALOG_NOT_FOUND"))
        .body("error", containsString("lake"));
    given()
        .get(BASE + "/lake/namespaces/nope/tables")
        .then()
        .statusCode(404)
        .body("error_code", equalTo("NAMESPACE_NOT_FOUND"));
    given()
        .get(BASE + "/lake/namespaces/default/tables/nope")
        .then()
        .statusCode(404)
        .body("error_code", equalTo("TABLE_NOT_FOUND"))
        .body("error", containsString("flowers"));
    given()
        .queryParam("snapshotId", "123")
        .get(BASE + "/lake/namespaces/default/tables/flowers/size")
        .then()
        .statusCode(404)
        .body("error_code", equalTo("TABLE_NOT_FOUND"))
        .body("error", containsString("snapshot"));
    given()
        .queryParam("partitionKey", "colour")
        .queryParam("partitionValue", "red")
        .get(BASE + "/lake/namespaces/browse/tables/parted/size")
        .then()
        .statusCode(400)
        .body("error_code", equalTo("INVALID_REQUEST"))
        .body("error", containsString("species"));
  }
}
