package dev.floe.catalog;

import dev.floe.error.FloeException;
import java.util.regex.Pattern;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;

/** A validated {@code namespace.table} name: two identifier parts, nothing that could escape. */
public record TableName(String namespace, String table) {
  private static final Pattern PART = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  public TableName {
    if (!isIdentifier(namespace) || !isIdentifier(table)) {
      throw FloeException.invalid(
          "Cannot use table name '" + namespace + "." + table + "': " + RULE);
    }
  }

  private static final String RULE =
      "a table name is namespace.table, two parts of letters, digits and underscores, each"
          + " starting with a letter or underscore (e.g. default.flowers).";

  public static boolean isIdentifier(String part) {
    return part != null && PART.matcher(part).matches();
  }

  /** Parses {@code namespace.table}; {@code what} names the field in the error message. */
  public static TableName parse(String value, String what) {
    if (value == null || value.isBlank()) {
      throw FloeException.invalid("Cannot read " + what + ": it is empty; " + RULE);
    }
    String[] parts = value.split("\\.", -1);
    if (parts.length != 2 || !isIdentifier(parts[0]) || !isIdentifier(parts[1])) {
      String reason = parts.length > 2 ? "multi-level namespaces are not supported yet; " : "";
      throw FloeException.invalid("Cannot use " + what + " '" + value + "': " + reason + RULE);
    }
    return new TableName(parts[0], parts[1]);
  }

  public TableIdentifier identifier() {
    return TableIdentifier.of(Namespace.of(namespace), table);
  }

  @Override
  public String toString() {
    return namespace + "." + table;
  }
}
