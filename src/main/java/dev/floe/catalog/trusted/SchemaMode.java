package dev.floe.catalog.trusted;

import com.fasterxml.jackson.annotation.JsonProperty;

/** How a save treats a result schema that differs from the destination table's. */
public enum SchemaMode {
  @JsonProperty("strict")
  STRICT,
  @JsonProperty("merge")
  MERGE,
  @JsonProperty("overwrite")
  OVERWRITE
}
