package dev.floe.catalog;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import org.jboss.logging.Logger;

/**
 * The tables found unreadable (at start-up or by a request) and not readable again since: readiness
 * reports them, and each is logged once when first found.
 */
@ApplicationScoped
public class UnreadableTables {
  private static final Logger LOG = Logger.getLogger(UnreadableTables.class);
  private final Map<String, UnreadableTableException> found = new ConcurrentSkipListMap<>();

  public void found(UnreadableTableException e) {
    if (found.put(key(e.catalog(), e.table()), e) == null) {
      LOG.error(e.getMessage());
    }
  }

  public void readable(String catalog, TableName table) {
    if (found.remove(key(catalog, table)) != null) {
      LOG.infof("table %s of catalog %s is readable again", table, catalog);
    }
  }

  public List<UnreadableTableException> all() {
    return List.copyOf(found.values());
  }

  private static String key(String catalog, TableName table) {
    return catalog + "." + table;
  }
}
