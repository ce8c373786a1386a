package dev.floe.sandbox;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.arc.Arc;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * The cluster's kubelet, for tests on one host: every pod created in the runs namespace of the
 * Kubernetes mock server is started as the process its spec says (the sandbox image's entrypoint,
 * {@code floe_launch.py} with the container's args and env), in a bubblewrap sandbox built from the
 * spec (a root file system of only the system's and Python's directories, read-only; an empty tmpfs
 * at each of the pod's volume mounts; its own PID, IPC and UTS namespaces; uid 10002), and killed
 * when the pod is deleted. The network is the host's: the pod connects back to the service's
 * hand-over endpoint on loopback, as a pod would to its replica's IP.
 */
public final class SimulatedPods implements AutoCloseable {
  /** The runs namespace (floe.kubernetes.namespace's default). */
  public static final String NAMESPACE = "floe-runs";

  /**
   * A test profile's settings for run pods, the hand-over endpoint on loopback, and {@code more}.
   */
  public static Map<String, String> settings(Map<String, String> more) {
    Map<String, String> all = new java.util.HashMap<>(more);
    all.put("floe.sandbox.runner", "kubernetes");
    all.put("floe.kubernetes.handover-bind", "127.0.0.1");
    all.put("floe.kubernetes.handover-host", "127.0.0.1");
    all.put("floe.kubernetes.handover-port", "0");
    all.putIfAbsent("floe.runners.warm", "2");
    // The mock API server logs every request; the simulated kubelet asks every 100 ms.
    all.put("quarkus.log.category.\"io.fabric8.mockwebserver\".level", "WARN");
    return all;
  }

  /**
   * Starts the simulated kubelet on the mock server before the service starts: {@code
   * WithKubernetesTestServer(setup = SimulatedPods.Kubelet.class)}.
   */
  public static class Kubelet implements java.util.function.Consumer<KubernetesServer> {
    private static volatile SimulatedPods pods;

    @Override
    public void accept(KubernetesServer server) {
      prepare(server.getClient());
      pods = new SimulatedPods(server.getClient(), NAMESPACE, ignored());
    }

    /** What a test puts on the cluster before the service starts. */
    protected void prepare(KubernetesClient client) {}

    /** Pods the kubelet never starts. */
    protected Set<String> ignored() {
      return Set.of();
    }

    /** The kubelet running now. */
    public static SimulatedPods pods() {
      return pods;
    }

    /** Stops it (a test class's {@code @AfterAll}): every pod's process dies. */
    public static void stop() {
      if (pods != null) {
        pods.close();
        pods = null;
      }
    }
  }

  private static final Logger LOG = Logger.getLogger(SimulatedPods.class);

  private final KubernetesClient client;
  private final String namespace;
  private final Map<String, Process> running = new ConcurrentHashMap<>();
  private final Set<String> seen = ConcurrentHashMap.newKeySet();
  private final Thread kubelet;
  private volatile boolean closed;

  public SimulatedPods(KubernetesClient client, String namespace, Set<String> ignored) {
    this.client = client;
    this.namespace = namespace;
    this.seen.addAll(ignored);
    this.kubelet = new Thread(this::loop, "simulated-kubelet");
    kubelet.setDaemon(true);
    kubelet.start();
  }

  /** The pods started so far, by name. */
  public Set<String> started() {
    return Set.copyOf(seen);
  }

  /** The pods whose process runs now, by name. */
  public Set<String> running() {
    running.entrySet().removeIf(e -> !e.getValue().isAlive());
    return Set.copyOf(running.keySet());
  }

  private void loop() {
    while (!closed) {
      try {
        List<Pod> pods = client.pods().inNamespace(namespace).list().getItems();
        Set<String> names =
            pods.stream().map(p -> p.getMetadata().getName()).collect(Collectors.toSet());
        for (Pod pod : pods) {
          String name = pod.getMetadata().getName();
          if (seen.add(name)) {
            start(pod);
          }
        }
        running.forEach(
            (name, process) -> {
              if (!names.contains(name)) {
                process.destroyForcibly(); // the pod was deleted: so is everything in it
                running.remove(name);
              }
            });
        Thread.sleep(100);
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        if (!closed) {
          LOG.warnf("simulated kubelet: %s", e.getMessage());
        }
      }
    }
  }

  private void start(Pod pod) {
    String name = pod.getMetadata().getName();
    try {
      Process process =
          new ProcessBuilder(command(pod))
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.to(logOf(name).toFile()))
              .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
              .start();
      running.put(name, process);
    } catch (IOException | RuntimeException e) {
      LOG.warnf("simulated kubelet: cannot start pod %s: %s", name, e.getMessage());
    }
  }

  /**
   * Where a pod's own output goes (what {@code kubectl logs} would show): target/simulated-pods.
   */
  static Path logOf(String pod) throws IOException {
    Path dir = Files.createDirectories(Path.of("target", "simulated-pods"));
    return dir.resolve(pod + ".log");
  }

  /** The pod as a bubblewrap sandbox, from its spec. */
  static List<String> command(Pod pod) {
    PythonRuntime python = Arc.container().instance(PythonRuntime.class).get();
    Container container = pod.getSpec().getContainers().get(0);
    List<String> cmd = new ArrayList<>();
    cmd.addAll(
        List.of(
            "bwrap",
            "--die-with-parent",
            "--unshare-user",
            "--uid",
            Long.toString(
                container.getSecurityContext().getRunAsUser() == null
                    ? pod.getSpec().getSecurityContext().getRunAsUser()
                    : container.getSecurityContext().getRunAsUser()),
            "--gid",
            "65534",
            "--unshare-pid",
            "--unshare-ipc",
            "--unshare-uts",
            "--new-session",
            "--hostname",
            pod.getMetadata().getName(),
            "--cap-drop",
            "ALL",
            "--tmpfs",
            "/"));
    for (String system : BwrapLauncher.SYSTEM) {
      Path p = Path.of(system);
      if (Files.isSymbolicLink(p)) {
        cmd.addAll(List.of("--symlink", BwrapLauncher.readLink(p), system));
      } else if (Files.isDirectory(p)) {
        cmd.addAll(List.of("--ro-bind", system, system));
      }
    }
    for (String file : BwrapLauncher.SYSTEM_FILES) {
      if (Files.exists(Path.of(file))) {
        cmd.addAll(List.of("--ro-bind", file, file));
      }
    }
    cmd.addAll(List.of("--proc", "/proc", "--dev", "/dev"));
    for (VolumeMount mount : container.getVolumeMounts()) {
      cmd.addAll(List.of("--perms", "1777", "--tmpfs", mount.getMountPath()));
    }
    for (Path path : python.sandboxPaths()) {
      if (!path.startsWith("/usr")) {
        cmd.addAll(List.of("--ro-bind", path.toString(), path.toString()));
      }
    }
    if (Boolean.TRUE.equals(container.getSecurityContext().getReadOnlyRootFilesystem())) {
      cmd.addAll(List.of("--remount-ro", "/"));
    }
    cmd.addAll(List.of("--clearenv", "--setenv", "PATH", "/usr/local/bin:/usr/bin:/bin"));
    for (EnvVar env : container.getEnv()) {
      cmd.addAll(List.of("--setenv", env.getName(), env.getValue()));
    }
    cmd.addAll(List.of("--chdir", "/tmp", "--"));
    cmd.addAll(python.launch(container.getArgs().toArray(String[]::new)));
    return cmd;
  }

  @Override
  public void close() {
    closed = true;
    kubelet.interrupt();
    running.values().forEach(Process::destroyForcibly);
  }
}
