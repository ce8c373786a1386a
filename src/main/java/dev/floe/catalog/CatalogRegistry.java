package dev.floe.catalog;

import dev.floe.config.CatalogsConfig;
import dev.floe.config.FloeConfig;
import dev.floe.error.ErrorCode;
import dev.floe.error.FloeException;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.CatalogUtil;
import org.apache.iceberg.catalog.Catalog;
import org.jboss.logging.Logger;

/** The configured catalogs, by name or alias, built on first use. */
@ApplicationScoped
public class CatalogRegistry {
  private static final Logger LOG = Logger.getLogger(CatalogRegistry.class);
  private final CatalogsConfig config;
  private final Path home;
  private final Map<String, CatalogHandle> built = new ConcurrentHashMap<>();

  public CatalogRegistry(CatalogsConfig config, FloeConfig floe) {
    this.config = config;
    this.home = floe.homePath();
  }

  public String defaultName() {
    return config.defaultCatalog();
  }

  /** Configured catalog names (not aliases), sorted. */
  public List<String> names() {
    return new ArrayList<>(new TreeMap<>(config.catalogs()).keySet());
  }

  public CatalogsConfig.Catalog spec(String name) {
    return config.catalogs().get(canonicalName(name));
  }

  /** Every configured catalog's warehouse that is a local directory, absolute. */
  public List<Path> localWarehouses() {
    List<Path> local = new ArrayList<>();
    for (CatalogsConfig.Catalog spec : new TreeMap<>(config.catalogs()).values()) {
      String warehouse =
          spec.warehouse()
              .orElse(
                  spec.type() == CatalogsConfig.Catalog.Type.JDBC
                      ? home.resolve("warehouse").toString()
                      : "");
      if (!warehouse.isEmpty() && (!warehouse.contains("://") || warehouse.startsWith("file:"))) {
        local.add(LocalFileIO.toPath(warehouse).toAbsolutePath().normalize());
      }
    }
    return local;
  }

  /**
   * Where copies of object-store tables are kept for runs ({@link ObjectStoreTableAccess}), when a
   * configured catalog may hold such tables (a rest or glue catalog, or an s3:// warehouse).
   */
  public List<Path> objectCaches() {
    for (CatalogsConfig.Catalog spec : config.catalogs().values()) {
      if (spec.type() != CatalogsConfig.Catalog.Type.JDBC
          || spec.warehouse().map(ObjectStoreTableAccess::isObjectStore).orElse(false)) {
        return List.of(home.resolve(ObjectCache.CACHE).toAbsolutePath().normalize());
      }
    }
    return List.of();
  }

  /** The catalog for a request's {@code catalog} field; null means the default. */
  public CatalogHandle get(String nameOrAlias) {
    return get(nameOrAlias, Reach.ALL);
  }

  /** As {@link #get(String)} for a caller: a catalog outside {@code reach} is not configured. */
  public CatalogHandle get(String nameOrAlias, Reach reach) {
    String name = canonicalName(nameOrAlias == null ? config.defaultCatalog() : nameOrAlias, reach);
    return built.computeIfAbsent(name, n -> build(n, config.catalogs().get(n)));
  }

  /** The configured name of a catalog or its alias; CATALOG_NOT_FOUND if there is none. */
  public String canonicalName(String nameOrAlias) {
    return canonicalName(nameOrAlias, Reach.ALL);
  }

  private String canonicalName(String nameOrAlias, Reach reach) {
    String name = configuredName(nameOrAlias);
    if (name != null && sees(reach, name)) {
      return name;
    }
    List<String> seen = names().stream().filter(n -> sees(reach, n)).toList();
    throw new FloeException(
        ErrorCode.CATALOG_NOT_FOUND,
        "Catalog '"
            + nameOrAlias
            + "' is not configured; "
            + (seen.isEmpty()
                ? "you have no grants in any catalog (ask an admin for one)."
                : "use one of "
                    + String.join(", ", seen)
                    + (seen.contains(config.defaultCatalog())
                        ? " (or omit catalog for the default, '" + config.defaultCatalog() + "')."
                        : ".")));
  }

  /**
   * Whether a caller sees a catalog: one it has a grant in, and the default one (its name is in the
   * contract; its grants decide which of its tables the caller sees).
   */
  public boolean sees(Reach reach, String name) {
    return name.equals(config.defaultCatalog()) || reach.seesCatalog(name);
  }

  private String configuredName(String nameOrAlias) {
    if (config.catalogs().containsKey(nameOrAlias)) {
      return nameOrAlias;
    }
    for (Map.Entry<String, CatalogsConfig.Catalog> e : config.catalogs().entrySet()) {
      if (e.getValue().aliases().orElse(List.of()).contains(nameOrAlias)) {
        return e.getKey();
      }
    }
    return null;
  }

  private CatalogHandle build(String name, CatalogsConfig.Catalog spec) {
    Map<String, String> props = new HashMap<>(spec.properties());
    return switch (spec.type()) {
      case JDBC -> buildJdbc(name, spec, props);
      case REST -> {
        spec.uri().ifPresent(uri -> props.put(CatalogProperties.URI, uri));
        spec.warehouse().ifPresent(w -> props.put(CatalogProperties.WAREHOUSE_LOCATION, w));
        Catalog catalog =
            CatalogUtil.loadCatalog("org.apache.iceberg.rest.RESTCatalog", name, props, null);
        yield new CatalogHandle(name, "rest", catalog, spec.writerProperties(), false);
      }
      case GLUE -> {
        spec.warehouse().ifPresent(w -> props.put(CatalogProperties.WAREHOUSE_LOCATION, w));
        Catalog catalog =
            CatalogUtil.loadCatalog("org.apache.iceberg.aws.glue.GlueCatalog", name, props, null);
        yield new CatalogHandle(name, "glue", catalog, spec.writerProperties(), false);
      }
    };
  }

  /**
   * DriverManager only hands out drivers the caller's class loader can see; after a restart in the
   * same JVM (dev mode, tests) the driver must be registered again from this loader.
   */
  private static void registerSqliteDriver() {
    try {
      Class.forName("org.sqlite.JDBC", true, CatalogRegistry.class.getClassLoader());
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException("The SQLite JDBC driver is missing from the build", e);
    }
  }

  /** The embedded kind: SQLite (or another JDBC database) plus a warehouse. */
  private CatalogHandle buildJdbc(
      String name, CatalogsConfig.Catalog spec, Map<String, String> props) {
    String uri = spec.uri().orElse("jdbc:sqlite:" + home.resolve("catalog/catalog.db"));
    String warehouse = spec.warehouse().orElse(home.resolve("warehouse").toString());
    boolean localWarehouse = !warehouse.contains("://") || warehouse.startsWith("file:");
    Path warehousePath = localWarehouse ? LocalFileIO.toPath(warehouse).toAbsolutePath() : null;
    Path sqliteFile =
        uri.startsWith("jdbc:sqlite:")
            ? Path.of(uri.substring("jdbc:sqlite:".length())).toAbsolutePath()
            : null;
    try {
      if (sqliteFile != null) {
        Files.createDirectories(sqliteFile.getParent());
        uri = "jdbc:sqlite:" + sqliteFile;
      }
      if (warehousePath != null) {
        Files.createDirectories(warehousePath);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create the embedded lake under " + home, e);
    }
    props.put(CatalogProperties.URI, uri);
    props.put(
        CatalogProperties.WAREHOUSE_LOCATION,
        warehousePath != null ? "file://" + warehousePath : warehouse);
    // V1 adds the iceberg_type column that PyIceberg's SqlCatalog also uses: one catalog, two
    // readers.
    props.putIfAbsent("jdbc.schema-version", "V1");
    // Concurrent commits wait for SQLite's lock instead of failing at once.
    props.putIfAbsent("jdbc.busy_timeout", "30000");
    if (warehousePath != null) {
      props.putIfAbsent(CatalogProperties.FILE_IO_IMPL, LocalFileIO.class.getName());
    }
    if (sqliteFile != null) {
      registerSqliteDriver();
    }
    if (spec.relocateFrom().isPresent()) {
      if (warehousePath == null) {
        LOG.errorf(
            "floe.catalogs.%s.relocate-from is ignored: it relocates a lake with a local warehouse"
                + " only, and this one is %s",
            name, warehouse);
      } else {
        new LakeRelocation(uri, name, warehousePath, spec.relocateFrom().get()).run();
      }
    }
    Catalog catalog =
        CatalogUtil.loadCatalog("org.apache.iceberg.jdbc.JdbcCatalog", name, props, null);

    Map<String, String> writer = new TreeMap<>(spec.writerProperties());
    if (writer.isEmpty() && sqliteFile != null) {
      writer.put("type", "sql");
      writer.put("uri", "sqlite:///" + sqliteFile);
      writer.put("warehouse", props.get(CatalogProperties.WAREHOUSE_LOCATION));
    }
    return new CatalogHandle(
        name, "jdbc", catalog, Map.copyOf(writer), sqliteFile != null || warehousePath != null);
  }
}
