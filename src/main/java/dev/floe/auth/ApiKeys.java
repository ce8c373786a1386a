package dev.floe.auth;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.floe.error.ErrorCode;
import dev.floe.error.FloeException;
import dev.floe.runs.RunDatabase;
import jakarta.inject.Singleton;
import java.security.SecureRandom;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Floe API keys: random secrets, shown once, kept only as a SHA-256 hash (a 256-bit random secret
 * needs no slow hash) with a name, a principal, groups, an expiry, and a revocation time.
 *
 * <p>Every key is also held in memory (by name, and its hash to its name), so a request is
 * authenticated without a database read, and a revocation takes effect on the next request,
 * mid-queue runs included.
 */
@Singleton
public class ApiKeys {
  /** What every Floe key starts with, so a leaked one is recognised by secret scanners. */
  public static final String PREFIX = "floe_";

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.@-]{0,127}");
  private static final SecureRandom RANDOM = new SecureRandom();

  /** A key as listed: never its secret. */
  public record ApiKey(
      String name,
      String principal,
      Set<String> groups,
      Instant createdAt,
      Instant expiresAt,
      Instant revokedAt) {
    public ApiKey {
      groups = Set.copyOf(groups);
    }

    /** active, expired or revoked, at {@code now}. */
    public String status(Instant now) {
      if (revokedAt != null) {
        return "revoked";
      }
      return expiresAt != null && !now.isBefore(expiresAt) ? "expired" : "active";
    }
  }

  /** A key just made, with the secret its owner sees this once. */
  public record Created(ApiKey key, String secret) {}

  private final RunDatabase database;
  private final Clock clock;
  private final ApiKeyRows rows;

  /**
   * Every key by name, and the name each secret's hash belongs to: this replica's copy of the
   * store's keys, replaced whole by {@link #reload} when any replica changed them.
   */
  private volatile Map<String, ApiKey> byName = new ConcurrentHashMap<>();

  private volatile Map<String, String> nameByHash = new ConcurrentHashMap<>();

  public ApiKeys(RunDatabase database, Clock clock, ObjectMapper json) {
    this.database = database;
    this.clock = clock;
    this.rows = new ApiKeyRows(json);
    reload();
  }

  /** Reads every key from the store again (another replica made or revoked one). */
  public void reload() {
    Map<String, ApiKey> names = new ConcurrentHashMap<>();
    Map<String, String> hashes = new ConcurrentHashMap<>();
    database
        .rows(
            "load the API keys",
            ApiKeyRows.SELECT,
            r -> Map.entry(r.getString("key_hash"), rows.read(r)))
        .forEach(
            key -> {
              names.put(key.getValue().name(), key.getValue());
              hashes.put(key.getKey(), key.getValue().name());
            });
    byName = names;
    nameByHash = hashes;
  }

  /** Makes a key; {@code expiresIn} null for one that does not expire. KEY_EXISTS if taken. */
  public Created create(String name, String principal, Set<String> groups, Duration expiresIn) {
    requireName(name, "key name");
    requireName(principal, "principal");
    groups.forEach(g -> requireName(g, "group"));
    Instant now = clock.instant();
    ApiKey key =
        new ApiKey(
            name,
            principal,
            new TreeSet<>(groups),
            now,
            expiresIn == null ? null : now.plus(expiresIn),
            null);
    String secret = newSecret();
    String hash = hash(secret);
    database.transaction(
        "create API key " + name,
        db -> {
          if (ApiKeyRows.findByName(db, name) != null) {
            throw new FloeException(
                ErrorCode.KEY_EXISTS,
                "An API key named '"
                    + name
                    + "' exists already (names stay taken after a revocation); choose another"
                    + " name.");
          }
          rows.insert(db, key, hash);
          AuthRefresh.changed(db);
          return null;
        });
    remember(hash, key);
    return new Created(key, secret);
  }

  /**
   * The admin key from the key file: recorded under {@code name} if there is no such key, its hash
   * and principal replaced if the file now holds another secret or the admin principal changed.
   * False if the key by that name was revoked: a revoked admin key is not brought back by a
   * restart.
   */
  boolean adopt(String name, String principal, String secret) {
    String hash = hash(secret);
    return database.transaction(
        "record the admin key",
        db -> {
          String[] stored = ApiKeyRows.findByName(db, name);
          if (stored != null && stored[1] != null) {
            return false;
          }
          if (stored != null && stored[0].equals(hash) && stored[2].equals(principal)) {
            return true;
          }
          ApiKey key = new ApiKey(name, principal, Set.of(), clock.instant(), null, null);
          if (stored != null) {
            try (PreparedStatement p =
                db.prepareStatement("DELETE FROM floe_api_keys WHERE name=?")) {
              p.setString(1, name);
              p.executeUpdate();
            }
            nameByHash.remove(stored[0]);
          }
          rows.insert(db, key, hash);
          AuthRefresh.changed(db);
          remember(hash, key);
          return true;
        });
  }

  /** Whether a key by this name exists and is active (neither revoked nor expired). */
  boolean usable(String name) {
    ApiKey key = named(name);
    return key != null && key.status(clock.instant()).equals("active");
  }

  /** The key a secret belongs to, whatever its state; null for an unknown secret. */
  public ApiKey find(String secret) {
    String name = nameByHash.get(hash(secret));
    return name == null ? null : byName.get(name);
  }

  /** The key by this name as it is now (revoked or expired since it was used, perhaps). */
  public ApiKey named(String name) {
    return byName.get(name);
  }

  /** All keys, by name. */
  public List<ApiKey> list() {
    List<ApiKey> keys = new ArrayList<>(byName.values());
    keys.sort(Comparator.comparing(ApiKey::name));
    return keys;
  }

  /** Revokes the key at once; KEY_NOT_FOUND if there is none by that name. */
  public ApiKey revoke(String name) {
    Instant now = clock.instant();
    boolean found =
        database.transaction(
            "revoke API key " + name,
            db -> {
              String[] stored = ApiKeyRows.findByName(db, name);
              if (stored == null) {
                return false;
              }
              if (stored[1] == null) {
                try (PreparedStatement p =
                    db.prepareStatement("UPDATE floe_api_keys SET revoked_at=? WHERE name=?")) {
                  p.setLong(1, now.toEpochMilli());
                  p.setString(2, name);
                  p.executeUpdate();
                }
                AuthRefresh.changed(db);
              }
              return true;
            });
    if (!found) {
      throw new FloeException(
          ErrorCode.KEY_NOT_FOUND,
          "There is no API key named '" + name + "'; list them with GET /api/v1/admin/keys.");
    }
    return byName.computeIfPresent(
        name,
        (n, k) ->
            k.revokedAt() != null
                ? k
                : new ApiKey(
                    k.name(), k.principal(), k.groups(), k.createdAt(), k.expiresAt(), now));
  }

  private void remember(String hash, ApiKey key) {
    byName.put(key.name(), key);
    nameByHash.put(hash, key.name());
  }

  /** A new secret: the prefix and 256 random bits, URL-safe. */
  static String newSecret() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  static String hash(String secret) {
    return AuditTrail.sha256(secret);
  }

  static void requireName(String value, String what) {
    if (value == null || !NAME.matcher(value).matches()) {
      throw FloeException.invalid(
          "Cannot use "
              + what
              + " '"
              + value
              + "': use letters, digits and _ . @ - (at most 128, starting with a letter or"
              + " digit).");
    }
  }
}
