package dev.floe.auth;

import dev.floe.config.AuthConfig;
import dev.floe.config.FloeConfig;
import dev.floe.error.StartupRefusal;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * At start-up: the admin key. The first start makes one and writes it to {@code
 * floe.auth.admin-key-file} (mode 0600); later starts adopt whatever key that file holds (an
 * operator rotates the admin key by replacing the file). With authentication off, the service
 * refuses to start unless it listens on loopback only.
 */
@Singleton
public class AdminKeyFile {
  private static final Logger LOG = Logger.getLogger(AdminKeyFile.class);

  /**
   * The name of the admin key in the key list. It cannot be revoked over the API (that could lock
   * every admin out); it is rotated by replacing the file and restarting.
   */
  public static final String NAME = "admin";

  private final AuthConfig config;
  private final FloeConfig floe;
  private final ApiKeys keys;
  private final String host;

  public AdminKeyFile(
      AuthConfig config,
      FloeConfig floe,
      ApiKeys keys,
      @ConfigProperty(name = "quarkus.http.host") String host) {
    this.config = config;
    this.floe = floe;
    this.keys = keys;
    this.host = host;
  }

  void start(@Observes StartupEvent event) {
    if (!config.enabled()) {
      requireLoopback();
      LOG.warn(
          "AUTHENTICATION IS OFF (floe.auth.enabled=false): every caller is the admin and may run"
              + " code, read every table and overwrite any. For local experiments only; Floe"
              + " listens on loopback ("
              + host
              + ") and refuses to start otherwise.");
      return;
    }
    Path file = path();
    String principal = config.adminPrincipals().get(0);
    try {
      if (Files.exists(file)) {
        String perms = PosixFilePermissions.toString(Files.getPosixFilePermissions(file));
        if (!perms.substring(3).equals("------")) {
          LOG.warnf(
              "The admin key file %s can be read by others (%s); make it rw------- (chmod 600).",
              file, perms);
        }
        String secret = Files.readString(file, StandardCharsets.UTF_8).strip();
        if (!secret.startsWith(ApiKeys.PREFIX)) {
          throw new StartupRefusal(
              "The admin key file "
                  + file
                  + " does not hold a Floe API key (it starts with "
                  + ApiKeys.PREFIX
                  + "); delete it and restart to make a new one.");
        }
        if (!keys.adopt(NAME, principal, secret)) {
          LOG.warnf(
              "The admin key in %s was revoked; it stays revoked. Delete the file and restart to"
                  + " make a new admin key.",
              file);
        }
        return;
      }
      if (keys.usable(NAME)) {
        LOG.infof("The admin key file %s is gone; the admin key made earlier stays valid.", file);
        return;
      }
      String secret = ApiKeys.newSecret();
      write(file, secret);
      keys.adopt(NAME, principal, secret);
      LOG.infof(
          "Made the admin API key and wrote it to %s (mode 0600). Use it with: export"
              + " FLOE_API_KEY=$(cat %s)",
          file, file);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read or write the admin key file " + file, e);
    }
  }

  /** Where the admin key is. */
  public Path path() {
    return config
        .adminKeyFile()
        .map(Path::of)
        .orElse(floe.homePath().resolve("admin.key"))
        .toAbsolutePath();
  }

  private static void write(Path file, String secret) throws IOException {
    Files.createDirectories(file.getParent());
    Path partial = file.resolveSibling(file.getFileName() + ".partial");
    Files.deleteIfExists(partial);
    Files.createFile(
        partial,
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(partial, secret + "\n", StandardCharsets.UTF_8, StandardOpenOption.WRITE);
    Files.move(partial, file);
  }

  private void requireLoopback() {
    if (!isLoopback(host)) {
      throw new StartupRefusal(
          "floe.auth.enabled=false is refused while Floe listens on "
              + host
              + ": without authentication anyone who reaches the port can run code and overwrite"
              + " tables. Listen on loopback (quarkus.http.host=127.0.0.1) or turn authentication"
              + " on.");
    }
  }

  /** Reachable from this machine only: localhost, 127.x or ::1. */
  public static boolean isLoopback(String host) {
    try {
      return host.equals("localhost") || InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
