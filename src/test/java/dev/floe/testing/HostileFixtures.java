package dev.floe.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.stream.Collectors;

/** The hostile workloads of security-cases.md, one script per row under {@code hostile/}. */
public final class HostileFixtures {
  private static final String INCLUDE = "# floe-test: include ";

  private HostileFixtures() {}

  /** A fixture's text, with its {@code # floe-test: include NAME} lines replaced by NAME. */
  public static String fixture(String name) {
    String text;
    try (InputStream in = HostileFixtures.class.getResourceAsStream("/hostile/" + name)) {
      if (in == null) {
        throw new IllegalStateException("no fixture " + name);
      }
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return text.lines()
        .map(line -> line.startsWith(INCLUDE) ? fixture(line.substring(INCLUDE.length())) : line)
        .collect(Collectors.joining("\n", "", "\n"));
  }
}
