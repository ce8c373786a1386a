package dev.floe.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** The browsing endpoints' answers, with the hosted SDK's exact field names. */
public final class CatalogDtos {
  private CatalogDtos() {}

  /** A catalog, namespace, table triple. */
  @Schema(name = "CatalogTableRef")
  @RegisterForReflection
  public record TableRef(
      @Schema(required = true) String catalog,
      @Schema(required = true) String namespace,
      @Schema(required = true) String table) {}

  /** A configured catalog; properties never include credentials. */
  @Schema(name = "RegisteredCatalog")
  @RegisterForReflection
  public record RegisteredCatalog(
      @Schema(required = true) String name,
      @Schema(required = true, examples = "jdbc") String type,
      @Schema(required = true) Map<String, String> properties,
      Integer tableCount,
      @Schema(
              required = true,
              description = "(extension) the catalog a request without catalog uses")
          @JsonProperty("default")
          boolean isDefault) {}

  /** GET /api/v1/catalogs. */
  @Schema(name = "ListCatalogsResponse")
  @RegisterForReflection
  public record Catalogs(
      @Schema(required = true) boolean ok,
      @Schema(required = true) List<RegisteredCatalog> registeredCatalogs,
      @Schema(required = true, description = "every visible table, with ?counts=true")
          List<TableRef> catalogs) {}

  /** GET /api/v1/catalogs/{catalog}/namespaces. */
  @Schema(name = "ListNamespacesResponse")
  @RegisterForReflection
  public record Namespaces(
      @Schema(required = true) boolean ok,
      @Schema(required = true) String catalog,
      @Schema(required = true) List<String> namespaces) {}

  /** GET …/namespaces/{namespace}/tables. */
  @Schema(name = "ListTablesResponse")
  @RegisterForReflection
  public record Tables(
      @Schema(required = true) boolean ok, @Schema(required = true) List<TableRef> tables) {}

  /** GET …/tables/{table}: the table's Iceberg metadata JSON as is. */
  @Schema(name = "TableMetadataResponse")
  @RegisterForReflection
  public record Metadata(
      @Schema(required = true) boolean ok,
      @Schema(
              required = true,
              description = "Iceberg table metadata: format-version, schemas, snapshots, …")
          Map<String, Object> table) {}

  /** One partition filter of a size request. */
  @Schema(name = "PartitionFilter")
  @RegisterForReflection
  public record PartitionFilter(
      @Schema(required = true) String key, @Schema(required = true) String value) {}

  /** GET …/tables/{table}/size: sizes as strings, they can pass 2^53. */
  @Schema(name = "TableSizeResponse")
  @RegisterForReflection
  public record Size(
      @Schema(required = true) boolean ok,
      @Schema(required = true) String catalog,
      @Schema(required = true) String namespace,
      @Schema(required = true) String table,
      @Schema(nullable = true, description = "string of decimal digits; null for an empty table")
          String snapshotId,
      @Schema(required = true, examples = "5120") String sizeBytes,
      @Schema(required = true, examples = "150") String recordCount,
      @Schema(required = true) int dataFileCount,
      @Schema(required = true) List<PartitionFilter> partitionFilters) {}
}
