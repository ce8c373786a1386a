package dev.floe.catalog;

import dev.floe.error.FloeException;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

/**
 * At start-up, opens every table of the embedded (local) catalogs once, so a table whose files are
 * gone is logged and reported by readiness before anyone asks for it; the start goes on regardless.
 */
@ApplicationScoped
public class StartupTableCheck {
  private static final Logger LOG = Logger.getLogger(StartupTableCheck.class);
  // Bounds the start-up cost on a large lake; later tables are still checked when first used.
  static final int MAX_TABLES = 1000;

  private final CatalogRegistry catalogs;
  private final LakeLookup lookup;

  public StartupTableCheck(CatalogRegistry catalogs, LakeLookup lookup) {
    this.catalogs = catalogs;
    this.lookup = lookup;
  }

  void onStart(@Observes StartupEvent event) {
    for (String name : catalogs.names()) {
      try {
        CatalogHandle handle = catalogs.get(name);
        if (handle.embedded()) {
          check(handle);
        }
      } catch (RuntimeException e) {
        LOG.errorf("cannot check the tables of catalog %s at start-up: %s", name, e.getMessage());
      }
    }
  }

  private void check(CatalogHandle handle) {
    int checked = 0;
    for (String namespace : lookup.namespaces(handle)) {
      for (String table : lookup.tables(handle, namespace)) {
        if (checked++ >= MAX_TABLES
            || !TableName.isIdentifier(namespace)
            || !TableName.isIdentifier(table)) {
          continue;
        }
        try {
          lookup.load(handle, new TableName(namespace, table));
        } catch (FloeException e) {
          // UnreadableTables has logged and recorded it; the rest of the lake is served.
        }
      }
    }
  }
}
