package dev.floe.error;

import java.util.List;

/** Where in the user's own code a failure happened, in the user's numbering. */
public record Diagnostics(Integer line, Integer column, List<Frame> frames, String hint) {

  /** One frame of the user's code in a trimmed traceback. */
  public record Frame(String file, Integer line, String function, String text) {}

  public static Diagnostics hint(String hint) {
    return new Diagnostics(null, null, List.of(), hint);
  }
}
