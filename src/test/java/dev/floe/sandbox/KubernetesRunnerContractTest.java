package dev.floe.sandbox;

import static dev.floe.testing.Workloads.post;
import static dev.floe.testing.Workloads.script;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.floe.sandbox.kubernetes.RunPods;
import dev.floe.testing.ArrowClient;
import dev.floe.testing.RunSandboxes;
import dev.floe.testing.TempLake;
import dev.floe.testing.Workloads;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The Kubernetes runner against fabric8's Kubernetes mock server (CRUD), its pods run by {@link
 * SimulatedPods} from their specs: the runner contract over the hand-over channel, and what is the
 * pods' own (one per runner, deleted after its run, on cancel and on timeout; those nobody owns
 * reaped at start-up; the pool never over its bound). What a cluster adds (gVisor, the restricted
 * profile, the network policy) is checked on the pod spec ({@code RunPodsTest}) and the manifests.
 */
@QuarkusTest
@QuarkusTestResource(TempLake.class)
@WithKubernetesTestServer(crud = true, setup = KubernetesRunnerContractTest.Kubelet.class)
@TestProfile(KubernetesRunnerContractTest.Pods.class)
class KubernetesRunnerContractTest extends RunnerContractTest {
  static final String NAMESPACE = SimulatedPods.NAMESPACE;
  static final String ORPHAN = "floe-run-rn-left-by-a-gone-replica";

  /** Selects run pods, with the hand-over endpoint on loopback. */
  public static class Pods implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return SimulatedPods.settings(Map.of("floe.kubernetes.max-pods", "6"));
    }
  }

  /** Before the service starts: a pod a gone replica left, and the simulated kubelet. */
  public static class Kubelet extends SimulatedPods.Kubelet {
    @Override
    protected void prepare(KubernetesClient client) {
      client
          .pods()
          .inNamespace(NAMESPACE)
          .resource(
              new PodBuilder()
                  .withNewMetadata()
                  .withName(ORPHAN)
                  .withLabels(
                      Map.of(
                          "app.kubernetes.io/name",
                          RunPods.APP,
                          RunPods.REPLICA_LABEL,
                          "a-gone-replica"))
                  .endMetadata()
                  .withNewSpec()
                  .addNewContainer()
                  .withName("run")
                  .withImage("floe-sandbox:latest")
                  .endContainer()
                  .endSpec()
                  .build())
          .create();
    }

    @Override
    protected Set<String> ignored() {
      return Set.of(ORPHAN);
    }
  }

  @KubernetesTestServer KubernetesServer server;

  @AfterAll
  static void stopKubelet() {
    SimulatedPods.Kubelet.stop();
  }

  @Override
  String runnerName() {
    return "kubernetes";
  }

  /** The simulated pod is not behind gVisor and a network policy, as a real one is. */
  @Override
  boolean isolates() {
    return false;
  }

  @Override
  boolean reportsIsolated() {
    return true;
  }

  @Override
  boolean seesOnlyItsGrants() {
    return true;
  }

  @Override
  boolean runsApart() {
    return true;
  }

  @Test
  void anArrowResultStreamsBackOverTheChannelWithItsEndMarker() {
    ArrowClient.Answer whole =
        arrow("result = pl.select(i=pl.int_range(0, 300_000), s=pl.lit('abcdefghij'))\n");
    assertEquals(200, whole.status(), whole.text());
    assertTrue(whole.complete(), "the stream did not end with its end-of-stream marker");
    List<Object> column = whole.column("i");
    assertEquals(300_000, column.size());
    assertEquals(299_999L, column.get(299_999));

    // A run that fails mid-stream: the batches before went out, the stream never looks whole.
    ArrowClient.Answer cut =
        arrow(
            "def check(s):\n"
                + "    if (s == 250_000).any():\n"
                + "        raise ValueError('bad row')\n"
                + "    return s\n"
                + "result = pl.select(i=pl.int_range(0, 300_000)).lazy().with_columns(\n"
                + "    j=pl.col('i').map_batches(check, return_dtype=pl.Int64,"
                + " is_elementwise=True))\n");
    assertEquals(200, cut.status());
    assertFalse(cut.complete(), "a stream cut short must never look whole");
  }

  @Test
  void whatARunWritesToAPipeItsJobDoesNotStreamToHoldsNothing() {
    // A JSON answer reads the result file; the pod's result pipe has no reader on the service.
    script(
            "with open('/floe/out/result.pipe', 'wb') as p:\n"
                + "    p.write(b'not arrow' * 100_000)\n"
                + "result = pl.DataFrame({'a': [1]})\n")
        .statusCode(200)
        .body("results.rows[0][0]", equalTo(1));
  }

  private static ArrowClient.Answer arrow(String script) {
    return ArrowClient.post(Workloads.PATH, Map.of("mode", "script", "script", script));
  }

  @Test
  void aRunThatStealsItsPodsSecretCannotConnectWithIt() {
    // The relay's environment holds the secret (a pod's spec does); the run can read it, as the
    // relay's uid. By then it is spent: the endpoint takes each secret once, before any job.
    script(
            "import os\n"
                + "from floe_runner import pod\n"
                + "env = {}\n"
                + "for pid in (p for p in os.listdir('/proc') if p.isdigit()):\n"
                + "    try:\n"
                + "        raw = open(f'/proc/{pid}/environ', 'rb').read().split(b'\\0')\n"
                + "    except OSError:\n"
                + "        continue\n"
                + "    env.update(dict(v.decode().split('=', 1) for v in raw if b'=' in v))\n"
                + "stolen = 'FLOE_HANDOVER_SECRET' in env\n"
                + "try:\n"
                + "    link = pod.connect(env['FLOE_HANDOVER'], env['FLOE_RUNNER'],"
                + " bytes.fromhex(env['FLOE_HANDOVER_SECRET']), timeout=10)\n"
                + "    link.send(pod.JSON, b'{\"type\": \"hello\"}')\n"
                + "    connected = link.receive() is not None\n"
                + "except (pod.Refused, OSError, EOFError):\n"
                + "    connected = False\n"
                + "result = pl.DataFrame({'stolen': [stolen], 'connected': [connected]})\n")
        .statusCode(200)
        .body("results.rows[0]", equalTo(List.of(true, false)));
  }

  private List<String> podNames() {
    return server.getClient().pods().inNamespace(NAMESPACE).list().getItems().stream()
        .map(p -> p.getMetadata().getName())
        .toList();
  }

  @Test
  void readinessSaysHowManyPodsAndWhereTheyConnect() {
    io.restassured.RestAssured.given()
        .get("/q/health/ready")
        .then()
        .body(
            "checks.find { it.name == 'sandbox' }.data.pods",
            org.hamcrest.Matchers.matchesPattern(
                "\\d+ of at most 6 run pods; hand-over at 127\\.0\\.0\\.1:\\d+"));
  }

  @Test
  void podsNobodyOwnsAreReapedAtStartUp() {
    assertFalse(podNames().contains(ORPHAN), podNames().toString());
  }

  @Test
  void eachRunHasItsOwnPodDeletedAfterIt() {
    Set<String> before = SimulatedPods.Kubelet.pods().started();
    Workloads.query("SELECT 1 AS x", List.of()).statusCode(200);
    Workloads.query("SELECT 2 AS x", List.of()).statusCode(200);
    // Two runs took two pods (ready ones), and the pool starts as many to replace them; the
    // simulated kubelet sees a new pod on its next poll, so wait for both.
    RunSandboxes.awaitTrue(
        () -> {
          Set<String> used = new java.util.HashSet<>(SimulatedPods.Kubelet.pods().started());
          used.removeAll(before);
          return used.size() >= 2;
        },
        Duration.ofSeconds(20),
        "two pods started after the two runs");
    RunSandboxes.awaitTrue(
        () -> {
          List<String> live = podNames();
          return live.size() <= 6 && pool.unclaimedRunners().size() == live.size();
        },
        Duration.ofSeconds(20),
        "only the pool's pods to be left");
  }

  @Test
  void aTimedOutRunsPodIsDeleted() {
    post(Map.of(
            "mode",
            "script",
            "script",
            "import time\nprint('sleeping', flush=True)\ntime.sleep(600)\n",
            "limits",
            Map.of("timeoutSeconds", 2)))
        .statusCode(504)
        .body("error_code", equalTo("TIMEOUT"))
        .body("logs", org.hamcrest.Matchers.containsString("sleeping"));
    RunSandboxes.awaitTrue(
        () -> podNames().stream().allMatch(name -> isUnclaimed(name)),
        Duration.ofSeconds(10),
        "the timed-out run's pod to be deleted");
  }

  @Test
  void aCancelledRunsPodIsDeleted() throws Exception {
    String[] started = sleepingRunOnItsPod();
    String run = started[0];
    String taken = started[1];
    io.restassured.RestAssured.given()
        .delete(Workloads.PATH + "/runs/" + run)
        .then()
        .statusCode(200);
    RunSandboxes.awaitTrue(
        () ->
            !podNames().contains(taken) && !SimulatedPods.Kubelet.pods().running().contains(taken),
        Duration.ofSeconds(10),
        "the cancelled run's pod to be deleted and its processes gone");
  }

  @Test
  void aPodThatGoesAwayMidRunFailsItsRunAsLost() {
    String[] started = sleepingRunOnItsPod();
    String run = started[0];
    String taken = started[1];
    // Evicted, or its node lost: the pod is gone, not by this service's doing.
    server.getClient().pods().inNamespace(NAMESPACE).withName(taken).delete();
    RunSandboxes.awaitTrue(
        () ->
            "failed"
                .equals(
                    io.restassured.RestAssured.given()
                        .get(Workloads.PATH + "/runs/" + run)
                        .then()
                        .extract()
                        .path("status")),
        Duration.ofSeconds(20),
        "the run to fail");
    io.restassured.RestAssured.given()
        .get(Workloads.PATH + "/runs/" + run)
        .then()
        .body("error.error_code", equalTo("INTERNAL"))
        .body("error.error", org.hamcrest.Matchers.containsString("sandbox went away"));
    Workloads.query("SELECT 1 AS x", List.of()).statusCode(200);
  }

  /** Starts a run that sleeps; once it took a pod: its id and its pod's name. */
  private String[] sleepingRunOnItsPod() {
    String run =
        io.restassured.RestAssured.given()
            .contentType(io.restassured.http.ContentType.JSON)
            .body(Map.of("mode", "script", "script", "import time\ntime.sleep(600)\n"))
            .post(Workloads.PATH + "/runs")
            .then()
            .statusCode(202)
            .extract()
            .path("run_id");
    RunSandboxes.awaitTrue(
        () -> podNames().stream().anyMatch(name -> !isUnclaimed(name)),
        Duration.ofSeconds(30),
        "the run to take a pod");
    return new String[] {
      run, podNames().stream().filter(name -> !isUnclaimed(name)).findFirst().get()
    };
  }

  private boolean isUnclaimed(String podName) {
    return pool.unclaimedRunners().stream().anyMatch(id -> podName.equals("floe-run-" + id));
  }

  @Test
  void thePodsSpecIsTheRunPodsSpec() {
    Pod pod =
        server.getClient().pods().inNamespace(NAMESPACE).list().getItems().stream()
            .findFirst()
            .orElseThrow();
    assertEquals("floe-run", pod.getMetadata().getLabels().get("app.kubernetes.io/name"));
    assertEquals(
        List.of("runner-pod"), pod.getSpec().getContainers().get(0).getArgs(), "the relay");
    assertTrue(
        pod.getSpec().getContainers().get(0).getVolumeMounts().stream()
            .anyMatch(
                m -> m.getMountPath().equals(TempLake.home().resolve("warehouse").toString())),
        "an empty directory at the lake root, for granted files");
  }
}
