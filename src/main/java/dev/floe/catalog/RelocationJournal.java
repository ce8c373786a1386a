package dev.floe.catalog;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/** What a relocation of one table will do, written before any file is replaced. */
record RelocationJournal(
    String namespace,
    String table,
    String oldLocation,
    String newLocation,
    String previousLocation) {
  private static final String FILE = "journal.txt";

  record Read(RelocationJournal journal, List<String[]> moves) {}

  void write(Path dir, List<String[]> moves) throws IOException {
    StringBuilder text = new StringBuilder();
    for (String field : List.of(namespace, table, oldLocation, newLocation)) {
      text.append(field).append('\n');
    }
    text.append(previousLocation == null ? "" : previousLocation).append('\n');
    for (String[] move : moves) {
      text.append(move[0]).append('\t').append(move[1]).append('\n');
    }
    Path tmp = Files.writeString(dir.resolve(FILE + ".tmp"), text, StandardCharsets.UTF_8);
    Files.move(tmp, dir.resolve(FILE), StandardCopyOption.ATOMIC_MOVE);
  }

  static Read read(Path dir) throws IOException {
    Path file = dir.resolve(FILE);
    if (!Files.isRegularFile(file)) {
      return null;
    }
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    RelocationJournal journal =
        new RelocationJournal(
            lines.get(0),
            lines.get(1),
            lines.get(2),
            lines.get(3),
            lines.get(4).isEmpty() ? null : lines.get(4));
    List<String[]> moves = new ArrayList<>();
    for (String line : lines.subList(5, lines.size())) {
      if (!line.isEmpty()) {
        moves.add(line.split("\t", 2));
      }
    }
    return new Read(journal, moves);
  }
}
