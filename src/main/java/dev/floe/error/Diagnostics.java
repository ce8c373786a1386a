package dev.floe.error;

import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** Where in the user's own code a failure happened, in the user's numbering; null when unknown. */
public record Diagnostics(
    @Schema(nullable = true) Integer line,
    @Schema(nullable = true) Integer column,
    @Schema(nullable = true) List<Frame> frames,
    @Schema(nullable = true) String hint) {

  /** One frame of the user's code in a trimmed traceback. */
  public record Frame(
      @Schema(nullable = true) String file,
      @Schema(nullable = true) Integer line,
      @Schema(nullable = true) String function,
      @Schema(nullable = true) String text) {}

  public static Diagnostics hint(String hint) {
    return new Diagnostics(null, null, List.of(), hint);
  }
}
