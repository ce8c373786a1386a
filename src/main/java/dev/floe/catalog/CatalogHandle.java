package dev.floe.catalog;

import java.util.List;
import java.util.Map;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.SupportsNamespaces;

/**
 * One configured catalog: the trusted Iceberg catalog, the read-only PyIceberg properties a run is
 * given for it, and the PyIceberg properties of the trusted writer (never given to a run).
 */
public record CatalogHandle(
    String name,
    String type,
    Catalog catalog,
    Map<String, String> sandboxProperties,
    Map<String, String> writerProperties,
    List<String> readOnlyPaths) {

  public SupportsNamespaces namespaces() {
    return (SupportsNamespaces) catalog;
  }
}
