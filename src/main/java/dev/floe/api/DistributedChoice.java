package dev.floe.api;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.floe.distributed.Distribution;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * The request's {@code distributed}: {@code true}, {@code false}, or (extension) {@code "auto"} —
 * Floe chooses by the size of the input. In the spec: {@code anyOf: [boolean, "auto", null]}.
 */
public record DistributedChoice(Distribution distribution) {

  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  public static DistributedChoice of(Object value) {
    if (value instanceof Boolean on) {
      return new DistributedChoice(on ? Distribution.DISTRIBUTED : Distribution.LOCAL);
    }
    if ("auto".equals(value)) {
      return new DistributedChoice(Distribution.AUTO);
    }
    throw new IllegalArgumentException("distributed must be true, false or \"auto\"");
  }

  @JsonValue
  public Object json() {
    return switch (distribution) {
      case LOCAL -> false;
      case DISTRIBUTED -> true;
      case AUTO -> "auto";
    };
  }

  /** The one string {@code distributed} may be. */
  @Schema(name = "DistributedAuto", type = SchemaType.STRING, enumeration = "auto")
  public static final class Auto {
    private Auto() {}
  }
}
