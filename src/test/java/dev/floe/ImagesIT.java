package dev.floe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.floe.sandbox.RunFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The images, built here as a platform would build them, from a Debian base that {@code
 * debootstrap} makes (no container registry is reachable from these machines), with buildah (chroot
 * isolation, vfs storage: no daemon, no privileges beyond root's): the sandbox image, whose harness
 * then serves a query and a script exactly as a runner does (src/main/python/tests/ image_check.py,
 * over the runner channel, as a non-root uid, without a shell in the image), and the service's JVM
 * image. Needs root, buildah and debootstrap ({@code .ci/run} installs them); without them it is
 * skipped, saying which is missing.
 */
class ImagesIT {
  private static final Path PROJECT_HOME =
      Path.of(System.getProperty("floetest.project-home", ".floe")).toAbsolutePath();

  private final String tag = UUID.randomUUID().toString().substring(0, 8);
  private final List<String> containers = new ArrayList<>();
  private final List<String> images = new ArrayList<>();

  private static String run(List<String> command, Map<String, String> env, long minutes)
      throws Exception {
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().put("STORAGE_DRIVER", "vfs");
    builder.environment().put("BUILDAH_ISOLATION", "chroot");
    builder.environment().putAll(env);
    Process p = builder.start();
    String out = new String(p.getInputStream().readAllBytes());
    assertTrue(p.waitFor(minutes, TimeUnit.MINUTES), String.join(" ", command) + " hung");
    assertEquals(0, p.exitValue(), String.join(" ", command) + ":\n" + tail(out));
    return out.strip();
  }

  private static int exitOf(List<String> command) throws Exception {
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().put("STORAGE_DRIVER", "vfs");
    Process p = builder.start();
    p.getInputStream().readAllBytes();
    p.waitFor(2, TimeUnit.MINUTES);
    return p.exitValue();
  }

  private static String tail(String out) {
    return out.length() > 4000 ? "…" + out.substring(out.length() - 4000) : out;
  }

  /** The Debian mirror apt uses on this machine. */
  private static String mirror() throws Exception {
    Path sources = Path.of("/etc/apt/sources.list.d/debian.sources");
    if (Files.exists(sources)) {
      for (String line : Files.readAllLines(sources)) {
        if (line.startsWith("URIs:") && !line.contains("security")) {
          return line.substring(5).strip().split("\\s+")[0];
        }
      }
    }
    for (String line : Files.readAllLines(Path.of("/etc/apt/sources.list"))) {
      if (line.startsWith("deb ") && !line.contains("security")) {
        return line.split("\\s+")[1];
      }
    }
    throw new AssertionError("no Debian mirror in apt's sources");
  }

  private String container(String image) throws Exception {
    String name =
        run(List.of("buildah", "from", image), Map.of(), 2)
            .lines()
            .reduce((a, b) -> b)
            .orElseThrow();
    containers.add(name);
    return name;
  }

  private String bud(String dockerfile, String image, String base) throws Exception {
    String ca = System.getenv().getOrDefault("SSL_CERT_FILE", "/etc/ssl/certs/ca-certificates.crt");
    run(
        List.of(
            "buildah",
            "bud",
            "--isolation",
            "chroot",
            "--volume",
            ca + ":/run/floe-build-ca.crt:ro",
            "--build-arg",
            "PIP_CERT=/run/floe-build-ca.crt",
            "--build-arg",
            "BASE=" + base,
            "-f",
            dockerfile,
            "-t",
            image,
            "."),
        Map.of(),
        20);
    images.add(image);
    return image;
  }

  @Test
  void theImagesBuildAndTheSandboxImagesHarnessServesAJob() throws Exception {
    assumeTrue(
        "root".equals(System.getProperty("user.name")), "building images needs root (debootstrap)");
    for (String tool : List.of("buildah", "debootstrap")) {
      assumeTrue(
          exitOf(List.of("sh", "-c", "command -v " + tool)) == 0, tool + " is not installed");
    }
    Path work = Files.createTempDirectory("floe-images-");
    Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
    try {
      Path rootfs = work.resolve("rootfs");
      run(
          List.of(
              "debootstrap",
              "--variant=minbase",
              "--include=python3",
              "bookworm",
              rootfs.toString(),
              mirror()),
          Map.of(),
          15);
      String scratch = container("scratch");
      run(List.of("buildah", "copy", scratch, rootfs.toString(), "/"), Map.of(), 5);
      String base = "localhost/floe-it-base:" + tag;
      run(List.of("buildah", "commit", "--quiet", scratch, base), Map.of(), 5);
      images.add(base);

      String sandbox = bud("sandbox-image/Dockerfile", "localhost/floe-it-sandbox:" + tag, base);
      assertEquals(
          "10002:65534",
          run(
              List.of("buildah", "inspect", "--format", "{{.OCIv1.Config.User}}", sandbox),
              Map.of(),
              1));
      String runPod = container(sandbox);
      assertNotEquals(
          0,
          exitOf(List.of("buildah", "run", runPod, "--", "/bin/sh", "-c", "true")),
          "a shell in the sandbox image");
      assertNotEquals(
          0,
          exitOf(List.of("buildah", "run", runPod, "--", "/usr/bin/apt-get", "--version")),
          "apt in the sandbox image");

      Path check = work.resolve("check");
      String runner =
          new ObjectMapper()
              .writeValueAsString(
                  List.of(
                      "/usr/bin/env",
                      "STORAGE_DRIVER=vfs",
                      "/usr/bin/buildah",
                      "run",
                      "--isolation",
                      "chroot",
                      "--volume",
                      work + ":" + work,
                      runPod,
                      "--",
                      "/opt/floe/venv/bin/python",
                      "-I",
                      "-B",
                      "/opt/floe/harness/floe_launch.py"));
      String said =
          run(
              List.of(
                  PROJECT_HOME.resolve("dev-venv/bin/python").toString(),
                  "src/main/python/tests/image_check.py",
                  check.toString()),
              Map.of(
                  "FLOE_TEST_RUNNER",
                  runner,
                  "PYTHONPATH",
                  "src/main/python:src/main/python/tests"),
              5);
      assertTrue(said.contains("script ran as uid 10002"), said);
      System.out.println(said);

      String service = bud("Dockerfile.jvm", "localhost/floe-it-jvm:" + tag, base);
      String pod = container(service);
      assertTrue(
          run(List.of("buildah", "run", pod, "--", "java", "-version"), Map.of(), 2)
              .contains("17."));
      run(
          List.of(
              "buildah",
              "run",
              pod,
              "--",
              "/opt/floe/venv/bin/python",
              "-c",
              "import pyiceberg, polars"),
          Map.of(),
          2);
      assertEquals(
          "10001:10001",
          run(
              List.of("buildah", "inspect", "--format", "{{.OCIv1.Config.User}}", service),
              Map.of(),
              1));
    } finally {
      for (String c : containers) {
        exitOf(List.of("buildah", "rm", c));
      }
      for (int i = images.size() - 1; i >= 0; i--) {
        exitOf(List.of("buildah", "rmi", images.get(i)));
      }
      RunFiles.deleteTree(work);
    }
  }
}
