package dev.floe.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * kustomize and kubeconform as k8s/setup-tools.sh installed them (under the project's .floe), with
 * the Kubernetes schemas it generated: for the tests of the manifests and of the run pods.
 */
public final class KubernetesTools {
  private static final Path TOOLS =
      Path.of(System.getProperty("floetest.project-home", ".floe"))
          .toAbsolutePath()
          .resolve("k8s-tools");

  private KubernetesTools() {}

  /** Renders {@code k8s/overlays/<overlay>} into {@code out}. */
  public static void kustomize(String overlay, Path out) throws Exception {
    run(
        List.of(TOOLS.resolve("bin/kustomize").toString(), "build", "k8s/overlays/" + overlay),
        out);
  }

  /** Validates the objects in {@code yaml} with kubeconform -strict; returns its summary. */
  public static String kubeconform(Path yaml) throws Exception {
    return run(
        List.of(
            TOOLS.resolve("bin/kubeconform").toString(),
            "-strict",
            "-summary",
            "-kubernetes-version",
            Files.readString(TOOLS.resolve("kubernetes-version")).strip(),
            "-schema-location",
            TOOLS.resolve("schemas").toString(),
            yaml.toString()),
        null);
  }

  /** Runs {@code command}, its output into {@code out} (or returned, when null); it must exit 0. */
  private static String run(List<String> command, Path out) throws Exception {
    Process p =
        new ProcessBuilder(command)
            .redirectErrorStream(out == null)
            .redirectOutput(
                out == null
                    ? ProcessBuilder.Redirect.PIPE
                    : ProcessBuilder.Redirect.to(out.toFile()))
            .start();
    String said =
        new String((out == null ? p.getInputStream() : p.getErrorStream()).readAllBytes());
    assertTrue(p.waitFor(2, TimeUnit.MINUTES), String.join(" ", command) + " hung");
    assertEquals(0, p.exitValue(), String.join(" ", command) + ":\n" + said);
    return said;
  }
}
