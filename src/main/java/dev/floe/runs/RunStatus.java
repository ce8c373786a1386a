package dev.floe.runs;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** Where a run is in its life; the last three are final. */
public enum RunStatus {
  QUEUED,
  RUNNING,
  SUCCEEDED,
  FAILED,
  CANCELLED;

  @JsonValue
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  public boolean isFinal() {
    return this == SUCCEEDED || this == FAILED || this == CANCELLED;
  }

  /** The status a client wrote, or null when it names none. */
  public static RunStatus parse(String wire) {
    for (RunStatus status : values()) {
      if (status.wire().equals(wire)) {
        return status;
      }
    }
    return null;
  }
}
