package dev.floe.api;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.floe.distributed.Distribution;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * The request's {@code distributed}: {@code true}, {@code false}, or (extension) {@code "auto"} —
 * Floe chooses by the size of the input. The spec types it boolean (the contract's type, which
 * generated clients keep); the field's description names the extension.
 */
@RegisterForReflection
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
}
