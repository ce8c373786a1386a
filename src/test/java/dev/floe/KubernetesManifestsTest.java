package dev.floe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.floe.testing.KubernetesTools;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Kubernetes manifests ({@code k8s/}) as a cluster would get them: every overlay rendered by
 * {@code kustomize build}, validated by {@code kubeconform -strict} against the Kubernetes schemas
 * (generated from PyPI's kubernetes-validate by {@code k8s/setup-tools.sh}), and each security
 * field the platform requires asserted in the rendered output.
 */
class KubernetesManifestsTest {
  @TempDir Path dir;

  private List<JsonNode> render(String overlay) throws Exception {
    Path rendered = dir.resolve(overlay + ".yaml");
    KubernetesTools.kustomize(overlay, rendered);
    String summary = KubernetesTools.kubeconform(rendered);
    assertTrue(summary.contains("Invalid: 0, Errors: 0, Skipped: 0"), summary);
    List<JsonNode> objects = new ArrayList<>();
    try (MappingIterator<JsonNode> docs =
        new YAMLMapper().readerFor(JsonNode.class).readValues(rendered.toFile())) {
      docs.forEachRemaining(objects::add);
    }
    assertTrue(summary.contains("Valid: " + objects.size()), summary);
    return objects;
  }

  private static JsonNode one(List<JsonNode> objects, String kind, String name) {
    return objects.stream()
        .filter(o -> o.path("kind").asText().equals(kind))
        .filter(o -> o.path("metadata").path("name").asText().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + kind + " " + name));
  }

  @ParameterizedTest
  @ValueSource(strings = {"dev", "prod"})
  void everyOverlayRendersValidatesAndHoldsTheSecurityFields(String overlay) throws Exception {
    List<JsonNode> objects = render(overlay);
    Set<String> kinds = new TreeSet<>();
    objects.forEach(o -> kinds.add(o.path("kind").asText()));
    assertFalse(kinds.contains("Secret"), "secrets are referenced, never shipped: " + kinds);

    JsonNode deployment = one(objects, "Deployment", "floe");
    assertTrue(deployment.at("/spec/replicas").asInt() >= 2, "two replicas at least");
    JsonNode pod = deployment.at("/spec/template/spec");
    assertEquals(true, pod.at("/securityContext/runAsNonRoot").asBoolean());
    assertEquals("RuntimeDefault", pod.at("/securityContext/seccompProfile/type").asText());
    assertEquals("floe", pod.at("/serviceAccountName").asText());
    assertEquals(1, pod.at("/containers").size());
    JsonNode container = pod.at("/containers/0");
    assertEquals("/q/health/live", container.at("/livenessProbe/httpGet/path").asText());
    assertEquals("/q/health/ready", container.at("/readinessProbe/httpGet/path").asText());
    assertFalse(container.at("/resources/requests/cpu").isMissingNode());
    assertFalse(container.at("/resources/limits/memory").isMissingNode());
    JsonNode security = container.at("/securityContext");
    assertEquals(false, security.at("/allowPrivilegeEscalation").asBoolean(true));
    assertEquals(true, security.at("/readOnlyRootFilesystem").asBoolean());
    assertEquals(false, security.at("/privileged").asBoolean(true));
    assertEquals("[\"ALL\"]", security.at("/capabilities/drop").toString());
    assertTrue(security.at("/capabilities/add").isMissingNode());
    // Each replica's name and address on the run store come from its pod.
    assertTrue(container.at("/env").toString().contains("\"fieldPath\":\"metadata.name\""));

    for (String namespace : List.of("floe", "floe-runs")) {
      JsonNode labels = one(objects, "Namespace", namespace).at("/metadata/labels");
      assertEquals("restricted", labels.path("pod-security.kubernetes.io/enforce").asText());
    }

    // The service account may manage run pods in floe-runs, and nothing else.
    JsonNode role = one(objects, "Role", "floe-run-pods");
    assertEquals("floe-runs", role.at("/metadata/namespace").asText());
    for (JsonNode rule : role.at("/rules")) {
      assertEquals("[\"\"]", rule.path("apiGroups").toString());
      for (JsonNode resource : rule.path("resources")) {
        assertTrue(resource.asText().startsWith("pods"), "the role reaches " + resource);
      }
      assertFalse(rule.toString().contains("*"), "no wildcard: " + rule);
    }
    assertFalse(kinds.contains("ClusterRole") || kinds.contains("ClusterRoleBinding"));
    JsonNode binding = one(objects, "RoleBinding", "floe-run-pods");
    assertEquals("floe", binding.at("/subjects/0/name").asText());
    assertEquals("floe", binding.at("/subjects/0/namespace").asText());

    // Run pods: no ingress at all; egress to the service's hand-over port on its pods, only.
    JsonNode runs = one(objects, "NetworkPolicy", "floe-run-pods").at("/spec");
    assertEquals("[\"Ingress\",\"Egress\"]", runs.path("policyTypes").toString());
    assertEquals(0, runs.path("ingress").size());
    assertEquals(1, runs.path("egress").size());
    assertEquals(1, runs.at("/egress/0/ports").size());
    assertEquals(8091, runs.at("/egress/0/ports/0/port").asInt());
    assertEquals(
        "floe", runs.at("/egress/0/to/0/podSelector/matchLabels/app.kubernetes.io~1name").asText());
    // The service: the API on 8080 from clients and replicas; the hand-over port from run pods.
    JsonNode service = one(objects, "NetworkPolicy", "floe-service").at("/spec");
    assertEquals(2, service.path("ingress").size());
    assertEquals(8080, service.at("/ingress/0/ports/0/port").asInt());
    assertEquals(1, service.at("/ingress/0/ports").size());
    assertFalse(service.at("/ingress/0/from").toString().contains("floe-run\""));
    assertEquals(8091, service.at("/ingress/1/ports/0/port").asInt());
    assertEquals(1, service.at("/ingress/1/ports").size());
    assertEquals(1, service.at("/ingress/1/from").size());
    assertEquals(
        "floe-run",
        service.at("/ingress/1/from/0/podSelector/matchLabels/app.kubernetes.io~1name").asText());
    // Runs in run pods, from the sandbox image (pinned in prod), under gVisor.
    JsonNode config = one(objects, "ConfigMap", "floe-config").path("data");
    assertEquals("kubernetes", config.path("FLOE_SANDBOX_RUNNER").asText());
    assertEquals("true", config.path("QUARKUS_LOG_CONSOLE_JSON_ENABLED").asText());
    assertEquals("gvisor", config.path("FLOE_KUBERNETES_RUNTIME_CLASS").asText());
    assertTrue(config.path("FLOE_KUBERNETES_IMAGE").asText().contains("floe-sandbox:"));
    if (overlay.equals("prod")) {
      assertFalse(config.path("FLOE_KUBERNETES_IMAGE").asText().endsWith(":latest"));
    }
    // Each replica tells its pods its own IP for the hand-over.
    JsonNode env = one(objects, "Deployment", "floe").at("/spec/template/spec/containers/0/env");
    assertTrue(
        env.toString()
            .contains("{\"name\":\"FLOE_KUBERNETES_HANDOVER_HOST\",\"value\":\"$(POD_IP)\"}"),
        env.toString());

    assertTrue(one(objects, "PodDisruptionBudget", "floe").at("/spec/minAvailable").asInt() >= 1);
    JsonNode hpa = one(objects, "HorizontalPodAutoscaler", "floe").at("/spec");
    assertTrue(hpa.path("minReplicas").asInt() >= 2);
    assertNotNull(hpa.path("metrics").get(0));
  }
}
