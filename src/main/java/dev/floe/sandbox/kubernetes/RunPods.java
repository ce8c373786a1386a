package dev.floe.sandbox.kubernetes;

import dev.floe.config.KubernetesConfig;
import dev.floe.runs.Replica;
import dev.floe.sandbox.RunBudget;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodList;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.FilterWatchListDeletable;
import io.fabric8.kubernetes.client.dsl.PodResource;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * The Kubernetes runner's pods: one per runner, started from the sandbox image in the runs
 * namespace, handed one job, then deleted. This class owns what a run pod is (its spec: the
 * restricted Pod Security profile and more, limits from the run's budget, a deadline, no
 * service-account token, no service links) and the pods' life on the cluster: created, deleted, and
 * reaped when the replica that started them is gone.
 *
 * <p>A pod's only writable places are empty directories: {@code /tmp}, its output directory, and
 * one at each lake root, where the files granted to its run arrive over its hand-over channel at
 * the paths its run reads them by.
 */
public final class RunPods {
  private static final Logger LOG = Logger.getLogger(RunPods.class);

  /** Every run pod carries it: the runs namespace's NetworkPolicy selects on it. */
  public static final String APP = "floe-run";

  public static final String REPLICA_LABEL = "floe.dev/replica";
  public static final String RUNNER_LABEL = "floe.dev/runner";
  static final String NAME_LABEL = "app.kubernetes.io/name";

  /** The sandbox image's user (sandbox-image/Dockerfile): never root. */
  static final long RUN_UID = 10002;

  static final long RUN_GID = 65534;

  /** Past the run's own time limit, how long its pod may live before the cluster ends it. */
  static final long DEADLINE_GRACE_SECONDS = 60;

  /** Where the pod's runner connects back to, as whom, and the one-time secret it proves. */
  public record Handover(String address, String runnerId, String secret) {}

  /** Where a pod's run writes its outputs (RunnerFiles.SANDBOX_OUT). */
  static final String OUT = "/floe/out";

  /** Where the sandbox image keeps Python and the harness (sandbox-image/Dockerfile). */
  static final String HARNESS = "/opt/floe";

  private final KubernetesClient client;
  private final KubernetesConfig config;
  private final Replica replica;

  private final PodVolumes volumes;

  public RunPods(
      KubernetesClient client, KubernetesConfig config, Replica replica, List<Path> lakeRoots) {
    this.client = client;
    this.config = config;
    this.replica = replica;
    this.volumes = new PodVolumes(lakeRoots, config.tmpMb());
  }

  /**
   * Shortens the deadline of runner {@code runnerId}'s pod to {@code seconds} from its start (plus
   * the grace): at hand-over, its time in the pool and its run's limit.
   */
  public void shortenDeadline(String runnerId, long seconds) {
    client
        .pods()
        .inNamespace(config.namespace())
        .withName(name(runnerId))
        .edit(
            pod ->
                new PodBuilder(pod)
                    .editSpec()
                    .withActiveDeadlineSeconds(seconds + DEADLINE_GRACE_SECONDS)
                    .endSpec()
                    .build());
  }

  /**
   * The pod of runner {@code runnerId}: {@code budget} gives its limits and (its time limit) its
   * deadline.
   */
  public Pod spec(String runnerId, RunBudget budget, Handover handover) {
    String memory = Long.toString(budget.memoryBytes());
    Map<String, Quantity> limits =
        Map.of(
            "memory", new Quantity(memory),
            "cpu", new Quantity(Integer.toString(Math.max(1, budget.cpus()))),
            "ephemeral-storage", new Quantity(config.tmpMb() + "Mi"));
    Map<String, Quantity> requests =
        Map.of(
            "memory", new Quantity(memory),
            "cpu", new Quantity(Integer.toString(Math.max(1, budget.cpus()))));
    PodBuilder pod =
        new PodBuilder()
            .withNewMetadata()
            .withName(name(runnerId))
            .withNamespace(config.namespace())
            .withLabels(
                Map.of(
                    NAME_LABEL, APP,
                    REPLICA_LABEL, label(replica.id()),
                    RUNNER_LABEL, label(runnerId)))
            .endMetadata()
            .withNewSpec()
            .withRestartPolicy("Never")
            .withAutomountServiceAccountToken(false)
            .withEnableServiceLinks(false)
            .withHostNetwork(false)
            .withHostPID(false)
            .withHostIPC(false)
            .withActiveDeadlineSeconds(budget.timeout().toSeconds() + DEADLINE_GRACE_SECONDS)
            .withTerminationGracePeriodSeconds(0L)
            .withNewSecurityContext()
            .withRunAsNonRoot(true)
            .withRunAsUser(RUN_UID)
            .withRunAsGroup(RUN_GID)
            .withNewSeccompProfile()
            .withType("RuntimeDefault")
            .endSeccompProfile()
            .endSecurityContext()
            .addNewContainer()
            .withName("run")
            .withImage(config.image())
            .withImagePullPolicy("IfNotPresent")
            .withArgs("runner-pod")
            .addNewEnv()
            .withName("FLOE_HANDOVER")
            .withValue(handover.address())
            .endEnv()
            .addNewEnv()
            .withName("FLOE_RUNNER")
            .withValue(handover.runnerId())
            .endEnv()
            .addNewEnv()
            .withName("FLOE_HANDOVER_SECRET")
            .withValue(handover.secret())
            .endEnv()
            .withNewResources()
            .withLimits(limits)
            .withRequests(requests)
            .endResources()
            .withNewSecurityContext()
            .withAllowPrivilegeEscalation(false)
            .withReadOnlyRootFilesystem(true)
            .withPrivileged(false)
            .withRunAsNonRoot(true)
            .withNewCapabilities()
            .withDrop("ALL")
            .endCapabilities()
            .endSecurityContext()
            .withVolumeMounts(volumes.mounts())
            .endContainer()
            .withVolumes(volumes.volumes())
            .endSpec();
    if (!config.runtimeClass().equals("none")) {
      pod.editSpec().withRuntimeClassName(config.runtimeClass()).endSpec();
    }
    return pod.build();
  }

  /** Starts the pod of runner {@code runnerId}. */
  public Pod create(String runnerId, RunBudget budget, Handover handover) {
    return client
        .pods()
        .inNamespace(config.namespace())
        .resource(spec(runnerId, budget, handover))
        .create();
  }

  /**
   * Deletes the pod of runner {@code runnerId} at once (its run ended, was cancelled, timed out).
   */
  public void delete(String runnerId) {
    client
        .pods()
        .inNamespace(config.namespace())
        .withName(name(runnerId))
        .withGracePeriod(0)
        .delete();
  }

  /** The run pods this replica started and has not deleted. */
  public List<Pod> own() {
    return podsOf(replica.id());
  }

  /**
   * Deletes the run pods no live replica owns: those of replicas that are gone, and this replica's
   * own from before its restart (at start-up, {@code live} holds the others only). Returns how
   * many.
   */
  public int reap(Collection<String> live) {
    List<String> owners = live.stream().map(RunPods::label).toList();
    List<Pod> left =
        runPods().list().getItems().stream()
            .filter(pod -> !owners.contains(pod.getMetadata().getLabels().get(REPLICA_LABEL)))
            .toList();
    deleteAll(left);
    if (!left.isEmpty()) {
      LOG.infof("Deleted %d run pod(s) left by replicas that are gone", left.size());
    }
    return left.size();
  }

  /** Deletes the run pods of replica {@code replicaId}, which was taken for lost; how many. */
  public int reapOf(String replicaId) {
    List<Pod> left = podsOf(replicaId);
    deleteAll(left);
    if (!left.isEmpty()) {
      LOG.infof("Deleted %d run pod(s) of lost replica %s", left.size(), replicaId);
    }
    return left.size();
  }

  private FilterWatchListDeletable<Pod, PodList, PodResource> runPods() {
    return client.pods().inNamespace(config.namespace()).withLabel(NAME_LABEL, APP);
  }

  private List<Pod> podsOf(String replicaId) {
    return runPods().withLabel(REPLICA_LABEL, label(replicaId)).list().getItems();
  }

  private void deleteAll(List<Pod> left) {
    for (Pod pod : left) {
      client.pods().inNamespace(config.namespace()).resource(pod).withGracePeriod(0).delete();
    }
  }

  static String name(String runnerId) {
    return "floe-run-" + label(runnerId);
  }

  /** A label value: at most 63 of [a-z0-9.-], starting and ending alphanumeric. */
  static String label(String value) {
    String cleaned = value.toLowerCase().replaceAll("[^a-z0-9.-]", "-");
    cleaned = cleaned.length() > 63 ? cleaned.substring(0, 63) : cleaned;
    return cleaned.replaceAll("^[^a-z0-9]+", "").replaceAll("[^a-z0-9]+$", "");
  }
}
