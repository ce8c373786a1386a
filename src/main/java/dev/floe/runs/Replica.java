package dev.floe.runs;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * One service process on the run store: its name there and the base URL at which the others reach
 * it.
 */
public record Replica(String id, String address) {
  /** A replica's name by default: the host's name and the HTTP port, unique on one store. */
  static Replica ofHost(String id, String address, int port) {
    String host = hostname();
    return new Replica(
        id != null ? id : host + "-" + port,
        address != null ? stripSlash(address) : "http://" + host + ":" + port);
  }

  private static String hostname() {
    String env = System.getenv("HOSTNAME");
    if (env != null && !env.isBlank()) {
      return env;
    }
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "localhost";
    }
  }

  private static String stripSlash(String url) {
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }
}
