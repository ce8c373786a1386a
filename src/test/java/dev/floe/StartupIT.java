package dev.floe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.floe.sandbox.RunFiles;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The packaged service's start-up, as users run it: it listens on loopback and says so (and that
 * nothing authenticates); a setting that breaks its own rules stops it with one clear line.
 */
class StartupIT {
  private static final Path PROJECT_HOME =
      Path.of(System.getProperty("floetest.project-home", ".floe")).toAbsolutePath();
  private static final Path JAR =
      Path.of(System.getProperty("floetest.app-jar", "target/quarkus-app/quarkus-run.jar"));

  /** Starts the jar with these settings; returns its log once it is listening or has exited. */
  private static Result start(List<String> settings, boolean untilListening) throws Exception {
    Path home = Files.createTempDirectory("floe-startup-");
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }
    List<String> cmd =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-opens=java.base/java.nio=ALL-UNNAMED",
                "-Dquarkus.http.port=" + port,
                "-Dfloe.home=" + home,
                "-Dfloe.sandbox.python=" + PROJECT_HOME.resolve("venv/bin/python")));
    cmd.addAll(settings);
    cmd.addAll(List.of("-jar", JAR.toString()));
    Path log = home.resolve("service.log");
    Process p =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
      while (System.nanoTime() < deadline && p.isAlive()) {
        if (untilListening && Files.readString(log).contains("Listening on")) {
          break;
        }
        Thread.sleep(200);
      }
      Integer exit = p.isAlive() ? null : p.exitValue();
      Path key = home.resolve("admin.key");
      boolean made = Files.exists(key);
      return new Result(
          exit,
          Files.readString(log),
          port,
          made ? Files.readString(key).strip() : "",
          made ? PosixFilePermissions.toString(Files.getPosixFilePermissions(key)) : "");
    } finally {
      p.destroy();
      p.waitFor(30, TimeUnit.SECONDS);
      RunFiles.deleteTree(home);
    }
  }

  private record Result(Integer exit, String log, int port, String adminKey, String adminKeyMode) {}

  @Test
  void listensOnLoopbackWithAuthenticationAndWritesTheAdminKeyForItsOwnerOnly() throws Exception {
    Result r = start(List.of(), true);
    assertEquals(null, r.exit(), "the service exited:\n" + r.log());
    assertTrue(r.log().contains("Listening on: http://127.0.0.1:" + r.port()), r.log());
    assertTrue(r.log().contains("every API call needs Authorization: Bearer"), r.log());
    assertTrue(r.log().contains("QUARKUS_HTTP_HOST=0.0.0.0"), r.log());
    assertTrue(r.log().contains("Made the admin API key and wrote it to "), r.log());
    assertTrue(r.adminKey().startsWith("floe_"), r.adminKey());
    assertEquals("rw-------", r.adminKeyMode());
    assertFalse(r.log().contains(r.adminKey()), "the log never shows the key");
  }

  @Test
  void withoutAuthenticationItRefusesToListenBeyondLoopback() throws Exception {
    Result r = start(List.of("-Dfloe.auth.enabled=false", "-Dquarkus.http.host=0.0.0.0"), false);
    assertNotEquals(null, r.exit(), "the service started:\n" + r.log());
    assertTrue(
        r.log().contains("floe.auth.enabled=false is refused while Floe listens on 0.0.0.0"),
        r.log());
    assertFalse(r.log().contains("at dev.floe"), "one sentence, no stack trace:\n" + r.log());
  }

  @Test
  void withoutAuthenticationOnLoopbackItSaysSoLoudly() throws Exception {
    Result r = start(List.of("-Dfloe.auth.enabled=false"), true);
    assertEquals(null, r.exit(), "the service exited:\n" + r.log());
    assertTrue(r.log().contains("AUTHENTICATION IS OFF"), r.log());
    assertTrue(r.log().contains("WITHOUT AUTHENTICATION"), r.log());
  }

  @Test
  void aDefaultAboveItsCapStopsStartUpNamingBothSettings() throws Exception {
    Result r = start(List.of("-Dfloe.limits.memory-mb=20000"), false);
    assertNotEquals(null, r.exit(), "the service started:\n" + r.log());
    assertNotEquals(0, r.exit());
    assertTrue(
        r.log()
            .contains(
                "floe.limits.memory-mb is above floe.limits.memory-mb-cap; lower the default or"
                    + " raise the cap"),
        r.log());
  }

  @Test
  void aSizeBelowOneStopsStartUpNamingTheSetting() throws Exception {
    Result r = start(List.of("-Dfloe.sandbox.max-result-file-mb=0"), false);
    assertNotEquals(null, r.exit(), "the service started:\n" + r.log());
    assertTrue(r.log().contains("floe.sandbox.max-result-file-mb"), r.log());
    assertTrue(r.log().contains("must be greater than or equal to 1"), r.log());
  }

  @Test
  void aDistributedTargetWithoutItsSettingsOrItsDispatcherStopsStartUpSayingWhat()
      throws Exception {
    Result cloud = start(List.of("-Dfloe.distributed.target=cloud"), false);
    assertNotEquals(null, cloud.exit(), "the service started:\n" + cloud.log());
    assertTrue(
        cloud.log().contains("floe.distributed.target=cloud needs floe.distributed.workspace"),
        cloud.log());
    assertFalse(cloud.log().contains("at dev.floe"), "one sentence:\n" + cloud.log());

    Result python =
        start(
            List.of(
                "-Dfloe.distributed.target=on-prem",
                "-Dfloe.distributed.address=https://polars.test:5051",
                "-Dfloe.distributed.python=/nonexistent/bin/python"),
            false);
    assertNotEquals(null, python.exit(), "the service started:\n" + python.log());
    assertTrue(
        python.log().contains("needs the dispatcher's Python at /nonexistent/bin/python"),
        python.log());
  }
}
