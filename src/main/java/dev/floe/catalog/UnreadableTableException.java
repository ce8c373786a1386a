package dev.floe.catalog;

import dev.floe.error.ErrorCode;
import dev.floe.error.FloeException;
import java.io.FileNotFoundException;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.iceberg.exceptions.NotFoundException;

/**
 * TABLE_UNREADABLE: a table the catalog lists whose files are gone. Its message is one sentence:
 * what is missing, where it was expected, the likely cause and the fix.
 */
public class UnreadableTableException extends FloeException {
  private static final Pattern FILE = Pattern.compile("file: (\\S+)");

  private final String catalog;
  private final TableName table;
  private final String missing;

  public UnreadableTableException(String catalog, TableName table, String missing) {
    super(ErrorCode.TABLE_UNREADABLE, sentence(catalog, table, missing));
    this.catalog = catalog;
    this.table = table;
    this.missing = missing;
  }

  /** The exception for a failure to read a table's files, or null when it is not one. */
  public static UnreadableTableException classify(
      String catalog, TableName table, RuntimeException failure) {
    if (!(failure instanceof NotFoundException)
        && !(failure instanceof UncheckedIOException io && missingFile(io.getCause()))) {
      return null;
    }
    Matcher m = FILE.matcher(String.valueOf(failure.getMessage()));
    return new UnreadableTableException(catalog, table, m.find() ? m.group(1) : "(unknown)");
  }

  private static boolean missingFile(Throwable cause) {
    return cause instanceof FileNotFoundException || cause instanceof NoSuchFileException;
  }

  static String sentence(String catalog, TableName table, String missing) {
    String kind =
        missing.endsWith(".metadata.json")
            ? "metadata file"
            : missing.endsWith(".avro") ? "manifest" : "file";
    return "Table '"
        + table
        + "' of catalog '"
        + catalog
        + "' cannot be read: its "
        + kind
        + " was expected at "
        + missing
        + " and is missing, most likely because the lake was moved or copied after the table was"
        + " written (Iceberg records absolute paths); relocate the lake with floe.catalogs."
        + catalog
        + ".relocate-from="
        + oldWarehouse(table, missing)
        + " (see the README), or drop and recreate the table.";
  }

  /** The warehouse the missing file was under, when its path has the usual table layout. */
  private static String oldWarehouse(TableName table, String missing) {
    String path = LocalFileIO.toPath(missing).toString();
    int at = path.indexOf("/" + table.namespace() + "/" + table.table() + "/");
    return at > 0 ? path.substring(0, at) : "<the warehouse path before the move>";
  }

  public String catalog() {
    return catalog;
  }

  public TableName table() {
    return table;
  }

  /** The path that was expected and is not there. */
  public String missing() {
    return missing;
  }
}
