package dev.floe.workload;

import com.fasterxml.jackson.annotation.JsonProperty;

/** What a workload's source holds. */
public enum Mode {
  @JsonProperty("query")
  QUERY,
  @JsonProperty("script")
  SCRIPT
}
