package dev.floe.catalog;

/**
 * What one caller may see and touch in the lake, decided by its grants. A table outside its reach
 * answers exactly as a missing one; listings show only what is inside it.
 */
public interface Reach {
  /** Everything: the admin, and the service's own checks. */
  Reach ALL =
      new Reach() {
        @Override
        public boolean reads(String catalog, String namespace, String table) {
          return true;
        }

        @Override
        public boolean writes(String catalog, String namespace, String table) {
          return true;
        }

        @Override
        public boolean seesNamespace(String catalog, String namespace) {
          return true;
        }

        @Override
        public boolean seesCatalog(String catalog) {
          return true;
        }
      };

  /** May read the table (a read or a write grant covers it). */
  boolean reads(String catalog, String namespace, String table);

  /** May save into the table (a write grant covers it). */
  boolean writes(String catalog, String namespace, String table);

  /** Some grant covers the namespace or a table in it: it is listed. */
  boolean seesNamespace(String catalog, String namespace);

  /** Some grant lies in the catalog: it is listed. */
  boolean seesCatalog(String catalog);

  default boolean reads(String catalog, TableName table) {
    return reads(catalog, table.namespace(), table.table());
  }

  default boolean writes(String catalog, TableName table) {
    return writes(catalog, table.namespace(), table.table());
  }
}
