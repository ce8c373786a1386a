package dev.floe.catalog.trusted;

import com.fasterxml.jackson.annotation.JsonProperty;

/** How a save treats the destination's existing rows. */
public enum SaveMode {
  @JsonProperty("overwrite")
  OVERWRITE,
  @JsonProperty("append")
  APPEND
}
