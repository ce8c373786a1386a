package dev.floe.sandbox.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.floe.config.KubernetesConfig;
import dev.floe.runs.Replica;
import dev.floe.sandbox.RunBudget;
import dev.floe.testing.KubernetesTools;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Run pods against fabric8's Kubernetes mock server (CRUD mode): their spec (every field of the
 * restricted Pod Security profile and more, validated by kubeconform -strict as a cluster would),
 * their creation and deletion, and the reaping of pods whose replica is gone.
 */
@EnableKubernetesMockClient(crud = true)
class RunPodsTest {
  static KubernetesClient client;

  @TempDir Path dir;

  private static final RunBudget BUDGET = new RunBudget(Duration.ofSeconds(120), 512L << 20, 2);

  private static RunPods.Handover handover(String runner) {
    return new RunPods.Handover("10.0.0.7:8091", runner, "ab".repeat(32));
  }

  private static RunPods pods(String replica, Map<String, String> settings) {
    KubernetesConfig config =
        new SmallRyeConfigBuilder()
            .withMapping(KubernetesConfig.class)
            .withDefaultValues(settings)
            .build()
            .getConfigMapping(KubernetesConfig.class);
    return new RunPods(
        client,
        config,
        new Replica(replica, "http://" + replica + ":8080"),
        List.of(Path.of("/var/lib/floe/object-cache")));
  }

  @Test
  void aRunPodIsLockedDownAndSizedByItsRunsBudget() throws Exception {
    Pod pod =
        pods("floe-7d9f-abcde", Map.of()).spec("rn-0123abcd", BUDGET, handover("rn-0123abcd"));
    PodSpec spec = pod.getSpec();
    assertEquals("floe-runs", pod.getMetadata().getNamespace());
    assertEquals("floe-run", pod.getMetadata().getLabels().get("app.kubernetes.io/name"));
    assertEquals("floe-7d9f-abcde", pod.getMetadata().getLabels().get(RunPods.REPLICA_LABEL));
    assertEquals("rn-0123abcd", pod.getMetadata().getLabels().get(RunPods.RUNNER_LABEL));
    assertEquals("gvisor", spec.getRuntimeClassName());
    assertEquals(false, spec.getAutomountServiceAccountToken());
    assertEquals(false, spec.getEnableServiceLinks());
    assertEquals("Never", spec.getRestartPolicy());
    assertEquals(180L, spec.getActiveDeadlineSeconds());
    assertEquals(true, spec.getSecurityContext().getRunAsNonRoot());
    assertEquals(10002L, spec.getSecurityContext().getRunAsUser());
    assertEquals("RuntimeDefault", spec.getSecurityContext().getSeccompProfile().getType());
    Container run = spec.getContainers().get(0);
    assertEquals(false, run.getSecurityContext().getAllowPrivilegeEscalation());
    assertEquals(true, run.getSecurityContext().getReadOnlyRootFilesystem());
    assertEquals(List.of("ALL"), run.getSecurityContext().getCapabilities().getDrop());
    assertTrue(
        run.getSecurityContext().getCapabilities().getAdd().isEmpty(), "no capability added");
    assertEquals(
        Long.toString(512L << 20), run.getResources().getLimits().get("memory").getAmount());
    assertEquals("2", run.getResources().getLimits().get("cpu").getAmount());
    assertTrue(spec.getVolumes().stream().allMatch(v -> v.getEmptyDir() != null), "no host paths");
    // Writable: /tmp, its outputs, and the lake root its granted files arrive in; nothing else.
    assertEquals(
        List.of("/tmp", "/floe/out", "/var/lib/floe/object-cache"),
        run.getVolumeMounts().stream().map(m -> m.getMountPath()).toList());
    // Where to connect back, as which runner, with which one-time secret: nothing else.
    assertEquals(
        Map.of(
            "FLOE_HANDOVER", "10.0.0.7:8091",
            "FLOE_RUNNER", "rn-0123abcd",
            "FLOE_HANDOVER_SECRET", "ab".repeat(32)),
        run.getEnv().stream()
            .collect(java.util.stream.Collectors.toMap(e -> e.getName(), e -> e.getValue())));

    // As a cluster admits it: valid against the Pod schema, strictly (no unknown field).
    Path yaml = dir.resolve("pod.yaml");
    Files.writeString(yaml, Serialization.asYaml(pod));
    String said = KubernetesTools.kubeconform(yaml);
    assertTrue(said.contains("Valid: 1, Invalid: 0, Errors: 0"), said);

    Pod plain =
        pods("r", Map.of("floe.kubernetes.runtime-class", "none"))
            .spec("rn-1", BUDGET, handover("rn-1"));
    assertNull(plain.getSpec().getRuntimeClassName(), "none: the node's default runtime");
  }

  @Test
  void podsAreCreatedAndDeletedAndThoseOfGoneReplicasAreReaped() {
    RunPods a = pods("replica-a", Map.of());
    RunPods b = pods("replica-b", Map.of());
    a.create("rn-a1", BUDGET, handover("rn-a1"));
    a.create("rn-a2", BUDGET, handover("rn-a2"));
    b.create("rn-b1", BUDGET, handover("rn-b1"));
    assertEquals(2, a.own().size());
    a.delete("rn-a2");
    assertEquals(
        List.of("floe-run-rn-a1"), a.own().stream().map(p -> p.getMetadata().getName()).toList());

    // replica-a is gone: replica-b reaps what it left, and keeps its own.
    assertEquals(1, b.reap(List.of("replica-b")));
    assertTrue(a.own().isEmpty());
    assertEquals(1, b.own().size());

    // replica-b restarts under the same name: its pods from before are no one's now.
    assertEquals(1, b.reap(List.of()));
    assertTrue(b.own().isEmpty());
    assertFalse(
        client.pods().inNamespace("floe-runs").list().getItems().stream().anyMatch(p -> true));
  }

  @Test
  void atHandOverAPodsDeadlineBecomesItsRuns() {
    RunPods a = pods("replica-d", Map.of());
    a.create("rn-d1", BUDGET, handover("rn-d1"));
    a.shortenDeadline("rn-d1", 30);
    assertEquals(
        30 + RunPods.DEADLINE_GRACE_SECONDS,
        a.own().get(0).getSpec().getActiveDeadlineSeconds().longValue());
    a.delete("rn-d1");
  }

  @Test
  void lakeRootsAreMountedOnceAndNeverOverTheHarnessOrTheOutputs() {
    assertEquals(
        List.of(Path.of("/var/lib/floe/warehouse")),
        PodVolumes.writableLakeRoots(
            List.of(
                Path.of("/var/lib/floe/warehouse"),
                Path.of("/var/lib/floe/./warehouse"),
                Path.of("/tmp"))));
    for (String hiding : List.of("/", "/opt", "/floe")) {
      IllegalArgumentException refused =
          org.junit.jupiter.api.Assertions.assertThrows(
              IllegalArgumentException.class,
              () -> PodVolumes.writableLakeRoots(List.of(Path.of(hiding))));
      assertTrue(refused.getMessage().contains("would hide"), refused.getMessage());
    }
  }

  @Test
  void aLostReplicasPodsAreReapedAtOnce() {
    RunPods a = pods("replica-a", Map.of());
    RunPods b = pods("replica-b", Map.of());
    // A replica another takes for lost: its pods go at once, the others' stay.
    a.create("rn-a3", BUDGET, handover("rn-a3"));
    b.create("rn-b2", BUDGET, handover("rn-b2"));
    assertEquals(1, b.reapOf("replica-a"));
    assertTrue(a.own().isEmpty());
    assertEquals(1, b.own().size());
  }
}
