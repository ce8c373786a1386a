package dev.floe.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The catalogs Floe reads from and saves to: {@code floe.catalogs.<name>.*}. */
@ConfigMapping(prefix = "floe")
public interface CatalogsConfig {

  /** The catalog a request uses when it names none. */
  @WithDefault("lake")
  String defaultCatalog();

  Map<String, Catalog> catalogs();

  /** One configured catalog. */
  interface Catalog {
    enum Type {
      JDBC,
      REST,
      GLUE
    }

    Type type();

    /** JDBC URL (jdbc) or catalog endpoint (rest); unused for glue. */
    Optional<String> uri();

    /** Warehouse location: a local path or file: URI for the embedded lake, s3://… otherwise. */
    Optional<String> warehouse();

    /** Other names clients may use for this catalog (e.g. the hosted SDK's default, "oleander"). */
    Optional<List<String>> aliases();

    /**
     * The warehouse path this embedded lake had before it was moved: at start-up, every table still
     * recorded under it is rewritten to the current warehouse (a no-op once done).
     */
    Optional<String> relocateFrom();

    /** Create the demo table default.flowers when it is missing. */
    @WithDefault("false")
    boolean demo();

    /** Extra Iceberg catalog properties for the trusted side (may hold write credentials). */
    Map<String, String> properties();

    /**
     * PyIceberg properties of the trusted writer (saves, demo seeding), which never runs user code.
     * Derived for the embedded JDBC catalog.
     */
    Map<String, String> writerProperties();
  }
}
