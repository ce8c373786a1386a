package dev.floe.catalog;

import dev.floe.sandbox.LakeRoots;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.file.Path;
import java.util.List;

/**
 * The configured catalogs' local warehouses, and the local copies of object-store tables, for
 * runners to make room for at start.
 */
@ApplicationScoped
public class CatalogLakeRoots implements LakeRoots {
  private final CatalogRegistry catalogs;

  public CatalogLakeRoots(CatalogRegistry catalogs) {
    this.catalogs = catalogs;
  }

  @Override
  public List<Path> roots() {
    List<Path> roots = new java.util.ArrayList<>(catalogs.localWarehouses());
    roots.addAll(catalogs.objectCaches());
    return roots;
  }
}
