package dev.floe.sandbox;

import dev.floe.config.KubernetesConfig;
import dev.floe.config.LimitsConfig;
import dev.floe.config.SandboxConfig;
import dev.floe.runs.Replica;
import dev.floe.runs.Replicas;
import dev.floe.sandbox.kubernetes.HandoverServer;
import dev.floe.sandbox.kubernetes.RunPods;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Runners that are Kubernetes pods ({@code floe.sandbox.runner=kubernetes}): each started ahead
 * from the sandbox image in the runs namespace, isolated by the cluster (its runtime class, the
 * restricted profile, its network policy), connected back to this replica's {@link HandoverServer},
 * handed one job over that connection and deleted after it. Their hosts' files stay on this host: a
 * pod's directory here holds what its grants link (pushed to the pod over its channel) and the
 * outputs it sends back, so the rest of the service reads a pod's run exactly as a local one's.
 *
 * <p>A pod is started before its run's budget is known: it gets the largest a run may have (memory,
 * CPUs) and a deadline of {@code lifetime} (waiting in the pool, then the longest run); the run's
 * own limits are set by its harness at hand-over (rlimits) and its time limit by this service,
 * which deletes the pod when it is over.
 */
final class PodLauncher extends StartingLauncher {
  private static final Logger LOG = Logger.getLogger(PodLauncher.class);
  static final LauncherKind KIND = new LauncherKind("kubernetes", true, true, false);

  private final RunPods pods;
  private final HandoverServer handover;
  private final Duration startTimeout;
  private final Duration lifetime;
  private final int maxPods;
  private final Set<String> live = ConcurrentHashMap.newKeySet();
  private final ScheduledThreadPoolExecutor timers = timers();

  private static ScheduledThreadPoolExecutor timers() {
    ScheduledThreadPoolExecutor timers =
        new ScheduledThreadPoolExecutor(
            1,
            task -> {
              Thread t = new Thread(task, "floe-run-pods");
              t.setDaemon(true);
              return t;
            });
    timers.setRemoveOnCancelPolicy(true);
    return timers;
  }

  /**
   * The pod launcher: this replica's hand-over endpoint, and the cluster's API, which must answer
   * (listing the run pods, to reap those nobody owns) before the launcher counts as set up. No pod
   * is started to probe: the first may wait for its image, and runs say why if pods cannot start.
   */
  static PodLauncher open(
      LaunchSettings settings,
      SandboxConfig sandbox,
      LimitsConfig limits,
      KubernetesConfig kubernetes,
      KubernetesClient client,
      Replicas replicas,
      LakeRoots lakes)
      throws IOException {
    Replica self = replicas.self();
    List<String> others =
        replicas.live().stream().map(Replica::id).filter(id -> !id.equals(self.id())).toList();
    HandoverServer handover =
        HandoverServer.open(
            kubernetes.handoverBind(),
            kubernetes.handoverPort(),
            kubernetes.handoverHost().orElse(null),
            settings.json(),
            settings.threads());
    try {
      RunPods pods = new RunPods(client, kubernetes, self, lakes.roots());
      // A replica taken for lost runs nothing any more: its pods go at once, not at its deadline.
      replicas.onLost(pods::reapOf);
      return new PodLauncher(
          settings,
          pods,
          handover,
          Duration.ofSeconds(sandbox.startTimeoutSeconds()),
          Duration.ofSeconds(limits.timeoutSecondsCap()).plus(POD_IDLE),
          kubernetes.maxPods(),
          others);
    } catch (RuntimeException e) {
      handover.close();
      throw e;
    }
  }

  /** How long a pod may wait in the pool for its run before the cluster ends it. */
  private static final Duration POD_IDLE = Duration.ofHours(1);

  PodLauncher(
      LaunchSettings settings,
      RunPods pods,
      HandoverServer handover,
      Duration startTimeout,
      Duration lifetime,
      int maxPods,
      Collection<String> otherReplicas) {
    super(settings, KIND);
    this.pods = pods;
    this.handover = handover;
    this.startTimeout = startTimeout;
    this.lifetime = lifetime;
    this.maxPods = maxPods;
    // Pods of this replica from before its restart, and of replicas that are gone, run no job of
    // anyone's now.
    pods.reap(otherReplicas);
  }

  /** The pods of this replica's runners, for readiness: how many, and where they connect. */
  @Override
  public String describe() {
    return live.size() + " of at most " + maxPods + " run pods; hand-over at " + handover.address();
  }

  @Override
  public RunnerChannel channel(LaunchSettings launch, RunnerFiles files) throws IOException {
    String id = files.id();
    synchronized (live) {
      if (live.size() >= maxPods) {
        throw new IOException(
            "this replica has its most run pods already (floe.kubernetes.max-pods="
                + maxPods
                + ")");
      }
      live.add(id);
    }
    return new PodChannel(
        files,
        handover,
        handover.expect(id, startTimeout),
        launch.json(),
        launch.threads(),
        timers,
        launch.maxFileBytes(),
        () -> release(id));
  }

  @Override
  public RunnerProcess start(
      RunnerFiles files, RunCgroups.Group group, RunnerLog log, RunnerChannel channel)
      throws IOException {
    PodChannel pod = (PodChannel) channel;
    pod.logTo(log);
    String id = files.id();
    try {
      pods.create(
          id,
          new RunBudget(lifetime, settings.warm().memoryBytes(), settings.warm().cpus()),
          new RunPods.Handover(handover.address(), id, pod.secret()));
    } catch (RuntimeException e) {
      release(id);
      throw new IOException("cannot create the pod of runner " + id + ": " + e.getMessage(), e);
    }
    return new Pod(id, pod);
  }

  /**
   * The runner's pod is no more of this replica's: deleted (if it was created) off the caller's
   * thread, so a run's answer never waits for the cluster's API. Idempotent.
   */
  private void release(String id) {
    if (!live.remove(id)) {
      return;
    }
    try {
      timers.execute(() -> delete(id));
    } catch (java.util.concurrent.RejectedExecutionException closing) {
      delete(id);
    }
  }

  private void delete(String id) {
    try {
      pods.delete(id);
    } catch (RuntimeException e) {
      // The reaper at the next start-up finds it by its labels; its deadline ends it before.
      LOG.warnf("cannot delete the pod of runner %s: %s", id, e.getMessage());
    }
  }

  private final class Pod implements RunnerProcess {
    private final String id;
    private final PodChannel channel;
    private final long created = System.nanoTime();
    private volatile boolean handedOver;

    Pod(String id, PodChannel channel) {
      this.id = id;
      this.channel = channel;
      // A pod that waited its whole time in the pool goes before its deadline could end a run.
      java.util.concurrent.ScheduledFuture<?> idle =
          timers.schedule(
              () -> {
                if (!handedOver) {
                  kill();
                }
              },
              POD_IDLE.toMillis(),
              TimeUnit.MILLISECONDS);
      channel
          .exit()
          .whenComplete(
              (code, e) -> {
                idle.cancel(false); // no hour-long reference to a pod that is gone
                release(id);
              });
    }

    @Override
    public CompletableFuture<Integer> exit() {
      return channel.exit();
    }

    @Override
    public CompletableFuture<Void> output() {
      return channel.output();
    }

    /** Its deadline becomes the run's: its time in the pool, the run's limit, and the grace. */
    @Override
    public void handedOver(RunBudget budget) {
      handedOver = true;
      long waited = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - created);
      timers.execute(
          () -> {
            try {
              pods.shortenDeadline(id, waited + budget.timeout().toSeconds());
            } catch (RuntimeException e) {
              LOG.debugf("runner %s: its pod's deadline stays: %s", id, e.getMessage());
            }
          });
    }

    /**
     * Ends its connection (the run ends at once) and has the pod deleted (everything in it dies).
     */
    @Override
    public void kill() {
      channel.closeConnection();
      release(id);
    }
  }

  @Override
  public void close() {
    handover.close();
    timers.shutdownNow(); // then every release deletes its pod at once, on this thread
    List.copyOf(live).forEach(this::release);
  }
}
