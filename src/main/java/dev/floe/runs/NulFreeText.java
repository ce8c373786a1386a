package dev.floe.runs;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;

/**
 * A connection whose prepared statements bind no string with a NUL character: each NUL becomes
 * U+FFFD. PostgreSQL's {@code text} cannot hold a NUL (the statement fails), while a request path,
 * a token's claim or an id a caller typed may carry one; with this, a store statement never fails
 * for it, on either database, and a lookup of such an id finds nothing instead of failing.
 */
final class NulFreeText {
  private static final char NUL = '\0';
  private static final char REPLACEMENT = '\uFFFD';

  private NulFreeText() {}

  static Connection of(Connection connection) {
    return proxy(
        Connection.class,
        connection,
        (method, args, result) ->
            result instanceof PreparedStatement p && method.getName().equals("prepareStatement")
                ? proxy(PreparedStatement.class, p, (m, a, r) -> r)
                : result);
  }

  /** The text as it is stored: NULs replaced. */
  static String text(String value) {
    return value == null || value.indexOf(NUL) < 0 ? value : value.replace(NUL, REPLACEMENT);
  }

  /** What a proxy does with the real call's result; arguments are cleaned before the call. */
  private interface After {
    Object apply(Method method, Object[] args, Object result);
  }

  @SuppressWarnings("unchecked")
  private static <T> T proxy(Class<T> type, T target, After after) {
    InvocationHandler handler =
        (self, method, args) -> {
          if (args != null
              && args.length == 2
              && args[1] instanceof String s
              && (method.getName().equals("setString")
                  || method.getName().equals("setNString")
                  || method.getName().equals("setObject"))) {
            args = new Object[] {args[0], text(s)};
          }
          try {
            return after.apply(method, args, method.invoke(target, args));
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        };
    return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, handler);
  }
}
