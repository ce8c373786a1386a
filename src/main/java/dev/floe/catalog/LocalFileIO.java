package dev.floe.catalog;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.io.InputFile;
import org.apache.iceberg.io.OutputFile;

/** Iceberg FileIO over the local file system, so the embedded lake needs no Hadoop. */
public class LocalFileIO implements FileIO {

  @Override
  public InputFile newInputFile(String location) {
    return org.apache.iceberg.Files.localInput(toPath(location).toFile());
  }

  @Override
  public OutputFile newOutputFile(String location) {
    Path path = toPath(location);
    try {
      Files.createDirectories(path.getParent());
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create directory for " + location, e);
    }
    return org.apache.iceberg.Files.localOutput(path.toFile());
  }

  @Override
  public void deleteFile(String location) {
    try {
      Files.deleteIfExists(toPath(location));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot delete " + location, e);
    }
  }

  /** Accepts plain paths and file: URIs in the forms Java and PyIceberg write. */
  static Path toPath(String location) {
    String path = location;
    if (path.startsWith("file://")) {
      path = path.substring("file://".length());
    } else if (path.startsWith("file:")) {
      path = path.substring("file:".length());
    }
    return Path.of(path);
  }
}
