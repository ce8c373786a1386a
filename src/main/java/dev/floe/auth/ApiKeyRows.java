package dev.floe.auth;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.Set;
import java.util.TreeSet;

/** API keys as rows of {@code floe_api_keys}: the secret only as its hash, groups as JSON. */
final class ApiKeyRows {
  private final ObjectMapper json;

  ApiKeyRows(ObjectMapper json) {
    this.json = json;
  }

  static final String SELECT =
      "SELECT name, key_hash, principal, groups_json, created_at, expires_at, revoked_at"
          + " FROM floe_api_keys";

  ApiKeys.ApiKey read(ResultSet r) throws SQLException {
    Set<String> groups;
    try {
      groups = json.readValue(r.getString("groups_json"), new TypeReference<Set<String>>() {});
    } catch (JsonProcessingException e) {
      throw new SQLException("unreadable groups of API key " + r.getString("name"), e);
    }
    return new ApiKeys.ApiKey(
        r.getString("name"),
        r.getString("principal"),
        groups,
        Instant.ofEpochMilli(r.getLong("created_at")),
        instant(r, "expires_at"),
        instant(r, "revoked_at"));
  }

  private static Instant instant(ResultSet r, String column) throws SQLException {
    long millis = r.getLong(column);
    return r.wasNull() ? null : Instant.ofEpochMilli(millis);
  }

  /** {hash, revoked_at or null, principal} of the key by this name, or null. */
  static String[] findByName(Connection db, String name) throws SQLException {
    try (PreparedStatement p =
        db.prepareStatement(
            "SELECT key_hash, revoked_at, principal FROM floe_api_keys WHERE name=?")) {
      p.setString(1, name);
      try (ResultSet r = p.executeQuery()) {
        return r.next() ? new String[] {r.getString(1), r.getString(2), r.getString(3)} : null;
      }
    }
  }

  void insert(Connection db, ApiKeys.ApiKey key, String hash) throws SQLException {
    try (PreparedStatement p =
        db.prepareStatement(
            "INSERT INTO floe_api_keys (name, key_hash, principal, groups_json, created_at,"
                + " expires_at, revoked_at) VALUES (?,?,?,?,?,?,?)")) {
      p.setString(1, key.name());
      p.setString(2, hash);
      p.setString(3, key.principal());
      try {
        p.setString(4, json.writeValueAsString(new TreeSet<>(key.groups())));
      } catch (JsonProcessingException e) {
        throw new SQLException(e);
      }
      p.setLong(5, key.createdAt().toEpochMilli());
      if (key.expiresAt() == null) {
        p.setNull(6, Types.BIGINT);
      } else {
        p.setLong(6, key.expiresAt().toEpochMilli());
      }
      p.setNull(7, Types.BIGINT);
      p.executeUpdate();
    }
  }
}
