package dev.floe.catalog;

import java.util.Map;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.SupportsNamespaces;

/**
 * One configured catalog: the trusted Iceberg catalog and the PyIceberg properties of the trusted
 * writer (never given to a run: runs read tables through the grants of {@link TableAccess}).
 *
 * @param embedded its database and warehouse live on this machine (the embedded SQLite lake)
 */
public record CatalogHandle(
    String name,
    String type,
    Catalog catalog,
    Map<String, String> writerProperties,
    boolean embedded) {

  public SupportsNamespaces namespaces() {
    return (SupportsNamespaces) catalog;
  }
}
