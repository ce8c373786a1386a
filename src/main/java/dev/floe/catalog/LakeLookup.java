package dev.floe.catalog;

import dev.floe.error.ErrorCode;
import dev.floe.error.FloeException;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Comparator;
import java.util.List;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.NoSuchNamespaceException;
import org.apache.iceberg.exceptions.NoSuchTableException;

/** Resolves names against a catalog; a miss names what exists nearby, a broken table says so. */
@ApplicationScoped
public class LakeLookup {
  private final TableCache tables;
  private final UnreadableTables unreadable;

  public LakeLookup(TableCache tables, UnreadableTables unreadable) {
    this.tables = tables;
    this.unreadable = unreadable;
  }

  /** Every namespace: for the service's own checks, never for a caller. */
  public List<String> namespaces(CatalogHandle handle) {
    return namespaces(handle, Reach.ALL);
  }

  /** The namespaces within {@code reach}, sorted. */
  public List<String> namespaces(CatalogHandle handle, Reach reach) {
    return handle.namespaces().listNamespaces().stream()
        .map(Namespace::toString)
        .filter(ns -> reach.seesNamespace(handle.name(), ns))
        .sorted()
        .toList();
  }

  /** Every table of a namespace: for the service's own checks, never for a caller. */
  public List<String> tables(CatalogHandle handle, String namespace) {
    return tables(handle, namespace, Reach.ALL);
  }

  /** The tables of a namespace within {@code reach}, sorted; a namespace outside it is missing. */
  public List<String> tables(CatalogHandle handle, String namespace, Reach reach) {
    requireNamespace(handle, namespace, reach);
    return handle.catalog().listTables(Namespace.of(namespace)).stream()
        .map(TableIdentifier::name)
        .filter(table -> reach.reads(handle.name(), namespace, table))
        .sorted()
        .toList();
  }

  /** NAMESPACE_NOT_FOUND, naming what {@code reach} sees, unless it exists within reach. */
  public void requireNamespace(CatalogHandle handle, String namespace, Reach reach) {
    // Both asked either way, so a namespace out of reach answers as fast as a missing one.
    boolean exists = handle.namespaces().namespaceExists(Namespace.of(namespace));
    if (!reach.seesNamespace(handle.name(), namespace) || !exists) {
      List<String> existing = namespaces(handle, reach);
      throw new FloeException(
          ErrorCode.NAMESPACE_NOT_FOUND,
          "Namespace '"
              + namespace
              + "' does not exist in catalog '"
              + handle.name()
              + "'"
              + suggestion(namespace, existing)
              + "; existing namespaces: "
              + listing(existing)
              + ".");
    }
  }

  /**
   * Loads a table, or fails with TABLE_NOT_FOUND / NAMESPACE_NOT_FOUND naming what exists, or with
   * TABLE_UNREADABLE when the catalog lists it but its metadata file is gone.
   */
  public Table load(CatalogHandle handle, TableName name) {
    return load(handle, name, Reach.ALL);
  }

  /**
   * As {@link #load(CatalogHandle, TableName)} for a caller: a table outside {@code reach} is not
   * even opened, and fails exactly as a missing one, naming only what the caller may see.
   */
  public Table load(CatalogHandle handle, TableName name, Reach reach) {
    requireNamespace(handle, name.namespace(), reach);
    try {
      if (!reach.reads(handle.name(), name)) {
        // Never opened (its metadata is not read, so nothing about it can fail differently);
        // the catalog is queried once, as it is for a missing table, so the answer takes as long.
        handle.catalog().listTables(Namespace.of(name.namespace()));
        throw new NoSuchTableException("outside the caller's reach");
      }
      Table table = tables.load(handle, name.identifier());
      unreadable.readable(handle.name(), name);
      return table;
    } catch (NoSuchTableException e) {
      List<String> existing = tables(handle, name.namespace(), reach);
      throw new FloeException(
          ErrorCode.TABLE_NOT_FOUND,
          "Table '"
              + name
              + "' does not exist in catalog '"
              + handle.name()
              + "'"
              + suggestion(name.table(), existing)
              + "; tables in namespace '"
              + name.namespace()
              + "': "
              + listing(existing)
              + ".");
    } catch (RuntimeException e) {
      throw unreadable(handle, name, e);
    }
  }

  /**
   * A save's pre-check: TABLE_UNREADABLE when the destination exists but cannot be read; a missing
   * table or namespace is fine (the save creates it).
   */
  public void requireReadableIfExists(CatalogHandle handle, TableName name) {
    try {
      handle.catalog().loadTable(name.identifier());
      unreadable.readable(handle.name(), name);
    } catch (NoSuchTableException | NoSuchNamespaceException e) {
      // Nothing to read: the save creates it.
    } catch (RuntimeException e) {
      throw unreadable(handle, name, e);
    }
  }

  /**
   * Records and returns TABLE_UNREADABLE for a failure to read the table's files; else rethrows.
   */
  public RuntimeException unreadable(CatalogHandle handle, TableName name, RuntimeException e) {
    UnreadableTableException broken = UnreadableTableException.classify(handle.name(), name, e);
    if (broken == null) {
      return e;
    }
    unreadable.found(broken);
    return broken;
  }

  private static String listing(List<String> names) {
    if (names.isEmpty()) {
      return "(none)";
    }
    List<String> shown = names.size() > 20 ? names.subList(0, 20) : names;
    return String.join(", ", shown)
        + (names.size() > 20 ? ", … (" + names.size() + " in all)" : "");
  }

  private static String suggestion(String wanted, List<String> existing) {
    return existing.stream()
        .filter(n -> editDistance(n.toLowerCase(), wanted.toLowerCase()) <= 2)
        .min(Comparator.comparingInt(n -> editDistance(n, wanted)))
        .map(n -> " (did you mean '" + n + "'?)")
        .orElse("");
  }

  /** Edit distance, case-insensitive: how far a name is from a known one. */
  public static int distance(String a, String b) {
    return editDistance(a.toLowerCase(), b.toLowerCase());
  }

  static int editDistance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}
