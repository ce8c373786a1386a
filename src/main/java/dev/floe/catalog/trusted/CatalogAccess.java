package dev.floe.catalog.trusted;

import java.util.Map;

/**
 * Which catalog the trusted writer writes to: PyIceberg's {@code load_catalog(name, **properties)}.
 * The properties may hold credentials: they go to the trusted writer only, never to a run.
 */
public record CatalogAccess(String name, Map<String, String> properties) {
  public CatalogAccess {
    Contract.check(name != null && !name.isEmpty(), "catalog.name must be a non-empty string");
    Contract.check(properties != null, "catalog.properties must be an object of strings");
    properties.forEach(
        (k, v) -> Contract.check(v != null, "catalog.properties." + k + " must be a string"));
    properties = Map.copyOf(properties);
  }

  @Override
  public String toString() {
    // Never print the properties: they may hold credentials.
    return "CatalogAccess[name=" + name + ", " + properties.size() + " properties]";
  }
}
