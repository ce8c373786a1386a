package dev.floe.sandbox;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.floe.sandbox.kubernetes.PodFrames;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The files granted to a pod's run, sent to it over its channel: what a local runner sees linked in
 * its root, each sent once, at the path the run sees it.
 */
final class PodGrants {
  private final RunnerFiles files;
  private final ObjectMapper json;
  private final Set<Path> pushed = new HashSet<>();

  PodGrants(RunnerFiles files, ObjectMapper json) {
    this.files = files;
    this.json = json;
  }

  /** Sends the pod the granted files it does not have yet, at the paths the run sees them. */
  void push(OutputStream out) throws IOException {
    if (files.root() == null) {
      return;
    }
    List<Path> granted;
    try (Stream<Path> walk = Files.walk(files.root())) {
      granted =
          walk.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
              .filter(p -> !pushed.contains(p))
              .toList();
    }
    byte[] chunk = granted.isEmpty() ? null : new byte[PodFrames.MAX_FRAME];
    for (Path file : granted) {
      String seen = "/" + files.root().relativize(file);
      PodFrames.write(
          out,
          PodFrames.FILE,
          json.writeValueAsBytes(Map.of("path", seen, "size", Files.size(file))));
      try (InputStream in = Files.newInputStream(file)) {
        for (int n = in.read(chunk); n >= 0; n = in.read(chunk)) {
          PodFrames.write(out, PodFrames.DATA, chunk, 0, n);
        }
      }
      PodFrames.write(out, PodFrames.DATA, new byte[0]);
      pushed.add(file);
    }
  }
}
