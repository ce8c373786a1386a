package dev.floe.auth;

import com.nimbusds.jwt.JWTClaimsSet;
import java.text.ParseException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;

/** Reading a token's claims as values, and quoting what a client sent in a reason. */
final class TokenValues {
  private TokenValues() {}

  /** A time claim (seconds since the epoch), or null when absent. */
  static Instant time(JWTClaimsSet claims, String name) {
    try {
      Date date = claims.getDateClaim(name);
      return date == null ? null : date.toInstant();
    } catch (ParseException e) {
      throw new InvalidTokenException("the token's " + name + " claim is not a time");
    }
  }

  /** A string as a one-element list, a list of strings as itself; anything else: null. */
  static List<String> stringOrStrings(Object value) {
    if (value instanceof String s) {
      return List.of(s);
    }
    if (!(value instanceof List<?> list)) {
      return null;
    }
    List<String> strings = new ArrayList<>(list.size());
    for (Object item : list) {
      if (!(item instanceof String s)) {
        return null;
      }
      strings.add(s);
    }
    return strings;
  }

  /** A client-supplied value for a reason: printable ASCII, at most 100 characters. */
  static String printable(Object value) {
    String s = String.valueOf(value);
    StringBuilder out = new StringBuilder(Math.min(s.length(), 101));
    for (int i = 0; i < s.length() && i < 100; i++) {
      char c = s.charAt(i);
      out.append(c >= 0x20 && c < 0x7f ? c : '?');
    }
    if (s.length() > 100) {
      out.append('…');
    }
    return out.toString();
  }
}
