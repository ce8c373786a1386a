package dev.floe.catalog;

import jakarta.enterprise.context.ApplicationScoped;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.NoSuchTableException;

/**
 * Loaded tables, kept between requests (bounded): a lookup refreshes a kept table, which asks the
 * catalog for its current metadata location only and reads the metadata again only when it moved
 * (another writer committed). Floe's own commits drop the table so the next lookup reloads it.
 */
@ApplicationScoped
public class TableCache {
  static final int MAX_TABLES = 1024;

  private final BoundedCache<String, Table> tables = new BoundedCache<>(MAX_TABLES);

  /** The table as the catalog has it now; NoSuchTableException when it has none by that name. */
  public Table load(CatalogHandle catalog, TableIdentifier identifier) {
    String key = key(catalog, identifier);
    Table kept = tables.get(key);
    if (kept != null) {
      try {
        kept.refresh();
        return kept;
      } catch (NoSuchTableException dropped) {
        invalidate(catalog, identifier);
        throw dropped;
      }
    }
    Table loaded = catalog.catalog().loadTable(identifier);
    tables.put(key, loaded);
    return loaded;
  }

  public void invalidate(CatalogHandle catalog, TableIdentifier identifier) {
    tables.remove(key(catalog, identifier));
  }

  private static String key(CatalogHandle catalog, TableIdentifier identifier) {
    return catalog.name() + "\n" + identifier;
  }
}
