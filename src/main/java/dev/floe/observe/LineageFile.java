package dev.floe.observe;

import io.openlineage.client.OpenLineage;
import io.openlineage.client.OpenLineageClientUtils;
import io.openlineage.client.transports.Transport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Lineage events appended to a file, one JSON event per line, that never grows past a size: when
 * the next event would take it past {@code maxBytes}, the file becomes {@code <file>.1} (the older
 * ones {@code .2} … up to {@code keep}, the oldest dropped) and a new one begins. A reader tailing
 * the file sees whole lines only. Called from one thread (the lineage sender's).
 */
final class LineageFile extends Transport {
  private final Path file;
  private final long maxBytes;
  private final int keep;

  LineageFile(Path file, long maxBytes, int keep) {
    this.file = file;
    this.maxBytes = maxBytes;
    this.keep = keep;
  }

  @Override
  public void emit(OpenLineage.RunEvent event) {
    append(OpenLineageClientUtils.toJson(event));
  }

  @Override
  public void emit(OpenLineage.DatasetEvent event) {
    append(OpenLineageClientUtils.toJson(event));
  }

  @Override
  public void emit(OpenLineage.JobEvent event) {
    append(OpenLineageClientUtils.toJson(event));
  }

  private void append(String json) {
    byte[] line =
        (json.replace("\n", "").replace("\r", "") + "\n").getBytes(StandardCharsets.UTF_8);
    try {
      long size = Files.exists(file) ? Files.size(file) : 0;
      if (size > 0 && size + line.length > maxBytes) {
        rotate();
      }
      Files.write(file, line, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write lineage events to " + file, e);
    }
  }

  private void rotate() throws IOException {
    Files.deleteIfExists(older(keep));
    for (int i = keep - 1; i >= 1; i--) {
      if (Files.exists(older(i))) {
        Files.move(older(i), older(i + 1), StandardCopyOption.REPLACE_EXISTING);
      }
    }
    if (keep >= 1) {
      Files.move(file, older(1), StandardCopyOption.REPLACE_EXISTING);
    } else {
      Files.delete(file);
    }
  }

  private Path older(int generation) {
    return file.resolveSibling(file.getFileName() + "." + generation);
  }
}
