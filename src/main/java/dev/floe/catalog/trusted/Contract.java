package dev.floe.catalog.trusted;

import java.util.regex.Pattern;

/** The value rules both sides of the trusted-writer contract apply (floe_trusted/contract.py). */
final class Contract {
  static final int PROTOCOL_VERSION = 1;
  static final int MAX_ATTEMPTS_CAP = 100;
  private static final Pattern PART = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  private static final Pattern TOKEN = Pattern.compile("[0-9a-f]{32}");
  private static final Pattern DIGITS = Pattern.compile("[0-9]{1,20}");

  private Contract() {}

  /** A broken rule: Jackson reports it with the field it was reading. */
  static void check(boolean ok, String rule) {
    if (!ok) {
      throw new IllegalArgumentException(rule);
    }
  }

  static void identifier(String value, String field) {
    String[] parts = value == null ? new String[0] : value.split("\\.", -1);
    check(
        parts.length == 2 && PART.matcher(parts[0]).matches() && PART.matcher(parts[1]).matches(),
        field + " must be 'namespace.table' (letters, digits, _), not " + quoted(value));
  }

  static void absolutePath(String value, String field) {
    check(
        value != null && value.startsWith("/") && value.indexOf('\0') < 0,
        field + " must be an absolute path, not " + quoted(value));
  }

  static void token(String value, String field) {
    check(
        value != null && TOKEN.matcher(value).matches(),
        field + " must be 32 lowercase hex digits, not " + quoted(value));
  }

  static void snapshotId(String value, String field) {
    check(
        value != null && DIGITS.matcher(value).matches(),
        field + " must be a snapshot id (digits), not " + quoted(value));
  }

  static void nonEmpty(String value, String field) {
    check(value != null && !value.isEmpty(), field + " must be a non-empty string");
  }

  static void present(Object value, String field) {
    check(value != null, field + " is missing or null");
  }

  private static String quoted(String value) {
    return value == null ? "null" : "'" + value + "'";
  }
}
