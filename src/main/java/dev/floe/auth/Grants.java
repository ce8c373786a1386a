package dev.floe.auth;

import dev.floe.catalog.CatalogRegistry;
import dev.floe.catalog.Reach;
import dev.floe.catalog.TableName;
import dev.floe.error.ErrorCode;
import dev.floe.error.FloeException;
import dev.floe.runs.RunDatabase;
import jakarta.inject.Singleton;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * Who may read and write what: {@code read} or {@code write} ({@code write} includes {@code read})
 * for a principal or a group, on a catalog, a namespace or a table. Kept in the run store and in
 * memory, so every decision, including each {@code scan()} a running script makes, sees the grants
 * as they are now.
 */
@Singleton
public class Grants {
  /** What a grant allows. */
  public enum Privilege {
    READ,
    WRITE;

    public String wire() {
      return name().toLowerCase(Locale.ROOT);
    }

    static Privilege parse(String value) {
      for (Privilege p : values()) {
        if (p.wire().equalsIgnoreCase(value == null ? "" : value.strip())) {
          return p;
        }
      }
      throw FloeException.invalid(
          "Cannot grant '" + value + "': the privilege is read or write (write includes read).");
    }
  }

  /**
   * One grant. {@code namespace} null: the whole catalog; {@code table} null: the whole namespace.
   */
  public record Grant(
      String subject,
      Privilege privilege,
      String catalog,
      String namespace,
      String table,
      Instant createdAt) {

    /** {@code catalog[.namespace[.table]]}. */
    public String scope() {
      return catalog
          + (namespace == null ? "" : "." + namespace)
          + (table == null ? "" : "." + table);
    }

    boolean covers(String c, String ns, String t) {
      return catalog.equals(c)
          && (namespace == null || namespace.equals(ns))
          && (table == null || table.equals(t));
    }

    boolean same(Grant other) {
      return subject.equals(other.subject)
          && privilege == other.privilege
          && scope().equals(other.scope());
    }
  }

  /** A grant added, and whether it is new. */
  public record Added(Grant grant, boolean created) {}

  private final RunDatabase database;
  private final CatalogRegistry catalogs;
  private final Clock clock;

  /** This replica's copy of the store's grants, replaced whole by {@link #reload}. */
  private volatile List<Grant> grants = new CopyOnWriteArrayList<>();

  public Grants(RunDatabase database, CatalogRegistry catalogs, Clock clock) {
    this.database = database;
    this.catalogs = catalogs;
    this.clock = clock;
    reload();
  }

  /** Reads every grant from the store again (another replica added or removed one). */
  public synchronized void reload() {
    grants =
        new CopyOnWriteArrayList<>(
            database.rows(
                "load the grants",
                "SELECT subject, privilege, scope, created_at FROM floe_grants",
                r -> {
                  String[] parts = r.getString(3).split("\\.", -1);
                  return new Grant(
                      r.getString(1),
                      Privilege.valueOf(r.getString(2)),
                      parts[0],
                      parts.length > 1 ? parts[1] : null,
                      parts.length > 2 ? parts[2] : null,
                      Instant.ofEpochMilli(r.getLong(4)));
                }));
  }

  /** Grants {@code privilege} on {@code scope} to {@code subject} (a principal or a group). */
  public synchronized Added add(String subject, String privilege, String scope) {
    Grant wanted = parse(subject, privilege, scope);
    for (Grant g : grants) {
      if (g.same(wanted)) {
        return new Added(g, false);
      }
    }
    try {
      database.transaction(
          "add a grant",
          db -> {
            try (PreparedStatement p =
                db.prepareStatement(
                    "INSERT INTO floe_grants (subject, privilege, scope, created_at) VALUES"
                        + " (?,?,?,?)")) {
              p.setString(1, wanted.subject());
              p.setString(2, wanted.privilege().name());
              p.setString(3, wanted.scope());
              p.setLong(4, wanted.createdAt().toEpochMilli());
              p.executeUpdate();
            }
            AuthRefresh.changed(db);
            return null;
          });
    } catch (IllegalStateException e) {
      if (!RunDatabase.duplicateKey(e)) {
        throw e;
      }
      reload(); // another replica added it a moment ago
      return add(subject, privilege, scope);
    }
    grants.add(wanted);
    return new Added(wanted, true);
  }

  /** Removes a grant; GRANT_NOT_FOUND if there is no such grant. */
  public synchronized Grant remove(String subject, String privilege, String scope) {
    Grant wanted = parse(subject, privilege, scope);
    Grant found = grants.stream().filter(g -> g.same(wanted)).findFirst().orElse(null);
    if (found == null) {
      throw new FloeException(
          ErrorCode.GRANT_NOT_FOUND,
          "There is no "
              + wanted.privilege().wire()
              + " grant on "
              + wanted.scope()
              + " for "
              + subject
              + "; list the grants with GET /api/v1/admin/grants.");
    }
    database.transaction(
        "remove a grant",
        db -> {
          try (PreparedStatement p =
              db.prepareStatement(
                  "DELETE FROM floe_grants WHERE subject=? AND privilege=? AND scope=?")) {
            p.setString(1, found.subject());
            p.setString(2, found.privilege().name());
            p.setString(3, found.scope());
            p.executeUpdate();
          }
          AuthRefresh.changed(db);
          return null;
        });
    grants.remove(found);
    return found;
  }

  /** The grants, of one subject unless it is null, by subject then scope. */
  public List<Grant> list(String subject) {
    List<Grant> listed = new ArrayList<>();
    for (Grant g : grants) {
      if (subject == null || g.subject().equals(subject)) {
        listed.add(g);
      }
    }
    listed.sort(
        Comparator.comparing(Grant::subject)
            .thenComparing(Grant::scope)
            .thenComparing(Grant::privilege));
    return listed;
  }

  /** What a principal in these groups may reach: the grants as they are at each question. */
  public Reach reachOf(String principal, Set<String> groups, boolean admin) {
    if (admin) {
      return Reach.ALL;
    }
    Predicate<Grant> mine = g -> g.subject().equals(principal) || groups.contains(g.subject());
    return new Reach() {
      @Override
      public boolean reads(String catalog, String namespace, String table) {
        return grants.stream().anyMatch(g -> mine.test(g) && g.covers(catalog, namespace, table));
      }

      @Override
      public boolean writes(String catalog, String namespace, String table) {
        return grants.stream()
            .anyMatch(
                g ->
                    mine.test(g)
                        && g.privilege() == Privilege.WRITE
                        && g.covers(catalog, namespace, table));
      }

      @Override
      public boolean seesNamespace(String catalog, String namespace) {
        return grants.stream()
            .anyMatch(
                g ->
                    mine.test(g)
                        && g.catalog().equals(catalog)
                        && (g.namespace() == null || g.namespace().equals(namespace)));
      }

      @Override
      public boolean seesCatalog(String catalog) {
        return grants.stream().anyMatch(g -> mine.test(g) && g.catalog().equals(catalog));
      }
    };
  }

  private Grant parse(String subject, String privilege, String scope) {
    ApiKeys.requireName(subject, "subject");
    Privilege p = Privilege.parse(privilege);
    String[] parts = scope == null ? new String[0] : scope.strip().split("\\.", -1);
    if (parts.length < 1 || parts.length > 3 || parts[0].isEmpty()) {
      throw FloeException.invalid(
          "Cannot grant on '"
              + scope
              + "': the scope is CATALOG, CATALOG.NAMESPACE or CATALOG.NAMESPACE.TABLE, as in"
              + " lake.default.");
    }
    for (int i = 1; i < parts.length; i++) {
      if (!TableName.isIdentifier(parts[i])) {
        throw FloeException.invalid(
            "Cannot grant on '"
                + scope
                + "': '"
                + parts[i]
                + "' is not a namespace or table name (letters, digits and underscores).");
      }
    }
    return new Grant(
        subject,
        p,
        catalogs.canonicalName(parts[0]),
        parts.length > 1 ? parts[1] : null,
        parts.length > 2 ? parts[2] : null,
        clock.instant());
  }
}
