package dev.floe.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.floe.catalog.CatalogHandle;
import dev.floe.catalog.CatalogRegistry;
import dev.floe.catalog.LakeBrowser;
import dev.floe.catalog.LakeLookup;
import dev.floe.catalog.Reach;
import dev.floe.catalog.TableName;
import dev.floe.catalog.TableSize;
import dev.floe.config.CatalogsConfig;
import dev.floe.error.FloeException;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponseSchema;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Browsing the lake: catalogs, namespaces, tables, metadata and sizes (the SDK's catalog API). */
@Path("/api/v1/catalogs")
@Tag(name = "catalogs")
@Blocking
@Produces(MediaType.APPLICATION_JSON)
@APIResponse(responseCode = "404", ref = "#/components/responses/NotFound")
@APIResponse(responseCode = "400", ref = "#/components/responses/BadRequest")
@APIResponse(responseCode = "409", ref = "#/components/responses/Conflict")
public class CatalogResource {
  private final CatalogRegistry catalogs;
  private final LakeLookup lookup;
  private final LakeBrowser browser;
  private final ObjectMapper json;
  private final CurrentRequest current;

  public CatalogResource(
      CatalogRegistry catalogs,
      LakeLookup lookup,
      LakeBrowser browser,
      ObjectMapper json,
      CurrentRequest current) {
    this.catalogs = catalogs;
    this.lookup = lookup;
    this.browser = browser;
    this.json = json;
    this.current = current;
  }

  /** What the caller's grants let it see: the rest of the lake answers as missing. */
  private Reach reach() {
    return current.caller().reach();
  }

  @GET
  @Operation(operationId = "listCatalogs", summary = "The configured catalogs")
  @APIResponseSchema(CatalogDtos.Catalogs.class)
  public CatalogDtos.Catalogs list(
      @Parameter(
              description = "also list every visible table",
              schema = @Schema(type = SchemaType.BOOLEAN, defaultValue = "false"))
          @QueryParam("counts")
          String countsParam) {
    boolean counts = flag(countsParam, "counts");
    List<CatalogDtos.RegisteredCatalog> registered = new ArrayList<>();
    List<CatalogDtos.TableRef> all = new ArrayList<>();
    for (String name : catalogs.names()) {
      if (!catalogs.sees(reach(), name)) {
        continue;
      }
      CatalogHandle handle = catalogs.get(name);
      List<CatalogDtos.TableRef> tables = tables(handle);
      registered.add(
          new CatalogDtos.RegisteredCatalog(
              name,
              handle.type(),
              publicProperties(catalogs.spec(name)),
              tables.size(),
              name.equals(catalogs.defaultName())));
      if (counts) {
        all.addAll(tables);
      }
    }
    return new CatalogDtos.Catalogs(true, registered, all);
  }

  @GET
  @Path("/{catalog}/namespaces")
  @Operation(operationId = "listNamespaces", summary = "The namespaces of a catalog")
  @APIResponseSchema(CatalogDtos.Namespaces.class)
  public CatalogDtos.Namespaces namespaces(@PathParam("catalog") String catalog) {
    CatalogHandle handle = catalogs.get(catalog, reach());
    return new CatalogDtos.Namespaces(true, handle.name(), lookup.namespaces(handle, reach()));
  }

  @GET
  @Path("/{catalog}/namespaces/{namespace}/tables")
  @Operation(operationId = "listTables", summary = "The tables of a namespace")
  @APIResponseSchema(CatalogDtos.Tables.class)
  public CatalogDtos.Tables tables(
      @PathParam("catalog") String catalog, @PathParam("namespace") String namespace) {
    CatalogHandle handle = catalogs.get(catalog, reach());
    List<CatalogDtos.TableRef> refs = new ArrayList<>();
    for (String table : lookup.tables(handle, namespace, reach())) {
      refs.add(new CatalogDtos.TableRef(handle.name(), namespace, table));
    }
    return new CatalogDtos.Tables(true, refs);
  }

  @GET
  @Path("/{catalog}/namespaces/{namespace}/tables/{table}")
  @Operation(operationId = "getTableMetadata", summary = "A table's Iceberg metadata")
  @APIResponseSchema(CatalogDtos.Metadata.class)
  public CatalogDtos.Metadata metadata(
      @PathParam("catalog") String catalog,
      @PathParam("namespace") String namespace,
      @PathParam("table") String table) {
    return new CatalogDtos.Metadata(
        true,
        json.convertValue(
            browser.metadata(catalogs.get(catalog, reach()), name(namespace, table), reach()),
            new com.fasterxml.jackson.core.type.TypeReference<Map<String, Object>>() {}));
  }

  @GET
  @Path("/{catalog}/namespaces/{namespace}/tables/{table}/size")
  @Operation(
      operationId = "getTableSize",
      summary = "A table's size from its manifests, for a snapshot and a partition subset")
  @APIResponseSchema(CatalogDtos.Size.class)
  public CatalogDtos.Size size(
      @PathParam("catalog") String catalog,
      @PathParam("namespace") String namespace,
      @PathParam("table") String table,
      @QueryParam("snapshotId") String snapshotId,
      @QueryParam("partitionKey") List<String> keys,
      @QueryParam("partitionValue") List<String> values) {
    CatalogHandle handle = catalogs.get(catalog, reach());
    if (keys.size() != values.size()) {
      throw FloeException.invalid(
          "Cannot filter partitions: give one partitionValue for each partitionKey ("
              + keys.size()
              + " keys, "
              + values.size()
              + " values).");
    }
    Map<String, String> filters = new LinkedHashMap<>();
    for (int i = 0; i < keys.size(); i++) {
      filters.put(keys.get(i), values.get(i));
    }
    TableSize size =
        browser.size(handle, name(namespace, table), snapshot(snapshotId), filters, reach());
    return new CatalogDtos.Size(
        true,
        handle.name(),
        namespace,
        table,
        size.snapshotId() == null ? null : size.snapshotId().toString(),
        Long.toString(size.sizeBytes()),
        Long.toString(size.recordCount()),
        size.dataFileCount(),
        filters.entrySet().stream()
            .map(e -> new CatalogDtos.PartitionFilter(e.getKey(), e.getValue()))
            .toList());
  }

  private List<CatalogDtos.TableRef> tables(CatalogHandle handle) {
    List<CatalogDtos.TableRef> refs = new ArrayList<>();
    for (String namespace : lookup.namespaces(handle, reach())) {
      for (String table : lookup.tables(handle, namespace, reach())) {
        refs.add(new CatalogDtos.TableRef(handle.name(), namespace, table));
      }
    }
    return refs;
  }

  private static TableName name(String namespace, String table) {
    if (!TableName.isIdentifier(namespace) || !TableName.isIdentifier(table)) {
      throw FloeException.invalid(
          "Cannot look up '"
              + namespace
              + "."
              + table
              + "': namespace and table are letters, digits and underscores.");
    }
    return new TableName(namespace, table);
  }

  /** A boolean query parameter: absent is false; anything but true or false is a 400. */
  private static boolean flag(String value, String name) {
    if (value == null || value.equalsIgnoreCase("false")) {
      return false;
    }
    if (value.equalsIgnoreCase("true")) {
      return true;
    }
    throw FloeException.invalid(
        "Query parameter " + name + " must be true or false; it was '" + value + "'.");
  }

  private static Long snapshot(String snapshotId) {
    if (snapshotId == null || snapshotId.isBlank()) {
      return null;
    }
    try {
      return Long.parseLong(snapshotId.strip());
    } catch (NumberFormatException e) {
      throw FloeException.invalid(
          "Cannot read snapshotId '" + snapshotId + "': it must be a whole number.");
    }
  }

  private static Map<String, String> publicProperties(CatalogsConfig.Catalog spec) {
    Map<String, String> props = new TreeMap<>();
    spec.warehouse().ifPresent(w -> props.put("warehouse", w));
    spec.aliases().ifPresent(a -> props.put("aliases", String.join(",", a)));
    spec.properties()
        .forEach(
            (k, v) -> {
              if (!LakeBrowser.isSecret(k)) {
                props.put(k, v);
              }
            });
    return props;
  }
}
