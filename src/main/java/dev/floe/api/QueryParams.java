package dev.floe.api;

import dev.floe.error.FloeException;

/** Query parameters that must be numbers: a 400 that names the parameter (JAX-RS would say 404). */
final class QueryParams {
  private QueryParams() {}

  /** A whole number. */
  static long number(String value, String name) {
    try {
      return Long.parseLong(value.strip());
    } catch (NumberFormatException e) {
      throw FloeException.invalid(
          "Query parameter " + name + " must be a whole number; it was '" + value + "'.");
    }
  }

  /** {@code limit}: a whole number from 1 to {@code max}. */
  static int limit(String value, int max) {
    long limit = number(value, "limit");
    if (limit < 1 || limit > max) {
      throw FloeException.invalid("limit must be between 1 and " + max + "; it was " + limit + ".");
    }
    return (int) limit;
  }
}
