package dev.floe.sandbox.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jboss.logging.Logger;

/**
 * The endpoint run pods connect back to, one TCP port per replica. Each pod is expected: its
 * runner's id and a one-time secret are in its spec, and it has {@code within} (the sandbox start
 * timeout) to connect. The secret never crosses the network: the service sends a fresh challenge
 * and the pod answers with an HMAC of it under the secret. A proof is accepted once, for the runner
 * it names, and the secret is forgotten then (so one read from a pod's environment later is worth
 * nothing); every other connection is closed after at most {@link #AUTH_TIMEOUT}.
 */
public final class HandoverServer implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(HandoverServer.class);
  static final Duration AUTH_TIMEOUT = Duration.ofSeconds(5);

  /**
   * Connections still authenticating at once; more are closed at once (a flood holds no thread).
   */
  static final int MAX_AUTHENTICATING = 64;

  private static final String MAC = "HmacSHA256";

  /** A connection from the pod of one runner, authenticated. */
  public record Connection(Socket socket, DataInputStream in, OutputStream out) {}

  /** A pod this endpoint waits for. */
  public static final class Expected {
    private final String runnerId;
    private final byte[] secret;
    private final long deadline;
    private final CompletableFuture<Connection> connection = new CompletableFuture<>();

    Expected(String runnerId, byte[] secret, long deadline) {
      this.runnerId = runnerId;
      this.secret = secret;
      this.deadline = deadline;
    }

    public String runnerId() {
      return runnerId;
    }

    /** The one-time secret, hex, for the pod's spec. */
    public String secret() {
      return HexFormat.of().formatHex(secret);
    }

    /** Completes when the pod connected and proved it holds the secret. */
    public CompletableFuture<Connection> connection() {
      return connection;
    }
  }

  private final ServerSocket server;
  private final String address;
  private final ObjectMapper json;
  private final Executor threads;
  private final SecureRandom random = new SecureRandom();
  private final Map<String, Expected> expected = new ConcurrentHashMap<>();
  private final java.util.concurrent.atomic.AtomicInteger authenticating =
      new java.util.concurrent.atomic.AtomicInteger();
  private final java.util.concurrent.atomic.AtomicLong refusals =
      new java.util.concurrent.atomic.AtomicLong();
  private final java.util.concurrent.atomic.AtomicLong lastRefusalLog =
      new java.util.concurrent.atomic.AtomicLong(System.nanoTime() - TimeUnit.MINUTES.toNanos(1));
  private final ScheduledExecutorService timers =
      Executors.newSingleThreadScheduledExecutor(
          task -> {
            Thread t = new Thread(task, "floe-handover-deadlines");
            t.setDaemon(true);
            return t;
          });
  private volatile boolean closed;

  private HandoverServer(ServerSocket server, String address, ObjectMapper json, Executor threads) {
    this.server = server;
    this.address = address;
    this.json = json;
    this.threads = threads;
  }

  /**
   * Listens on {@code bind}:{@code port}; pods are told to connect to {@code host} (null: this
   * host's address) at the port bound.
   */
  public static HandoverServer open(
      String bind, int port, String host, ObjectMapper json, Executor threads) throws IOException {
    ServerSocket server = new ServerSocket();
    try {
      server.bind(new InetSocketAddress(InetAddress.getByName(bind), port), 64);
      String advertised = host != null ? host : InetAddress.getLocalHost().getHostAddress();
      HandoverServer handover =
          new HandoverServer(server, advertised + ":" + server.getLocalPort(), json, threads);
      Thread accepting = new Thread(handover::acceptLoop, "floe-handover");
      accepting.setDaemon(true);
      accepting.start();
      LOG.infof(
          "hand-over endpoint for run pods on %s (pods connect to %s)", bind, handover.address);
      return handover;
    } catch (IOException | RuntimeException e) {
      server.close();
      throw e;
    }
  }

  /** Where pods connect: {@code host:port}. */
  public String address() {
    return address;
  }

  /** Expects the pod of {@code runnerId} within {@code within}, with a fresh secret. */
  public Expected expect(String runnerId, Duration within) {
    byte[] secret = new byte[32];
    random.nextBytes(secret);
    Expected e = new Expected(runnerId, secret, System.nanoTime() + within.toNanos());
    if (expected.putIfAbsent(runnerId, e) != null) {
      throw new IllegalStateException("runner " + runnerId + " is expected already");
    }
    return e;
  }

  /** Stops waiting for a runner's pod (it was discarded); a later connection for it is refused. */
  public void forget(Expected e) {
    expected.remove(e.runnerId, e);
    e.connection.completeExceptionally(new IOException("runner " + e.runnerId + " was discarded"));
  }

  private void acceptLoop() {
    while (!closed) {
      Socket socket;
      try {
        socket = server.accept();
      } catch (IOException e) {
        if (!closed) {
          LOG.warnf("hand-over endpoint: %s", e.getMessage());
        }
        continue;
      }
      if (authenticating.incrementAndGet() > MAX_AUTHENTICATING) {
        authenticating.decrementAndGet();
        closeQuietly(socket);
        continue;
      }
      try {
        threads.execute(
            () -> {
              try {
                authenticate(socket);
              } finally {
                authenticating.decrementAndGet();
              }
            });
      } catch (RuntimeException rejected) {
        authenticating.decrementAndGet();
        closeQuietly(socket);
      }
    }
  }

  private void authenticate(Socket socket) {
    // One deadline for the whole handshake, however slowly its bytes come.
    ScheduledFuture<?> deadline =
        timers.schedule(() -> closeQuietly(socket), AUTH_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    boolean connected = false;
    try {
      socket.setSoTimeout((int) AUTH_TIMEOUT.toMillis());
      socket.setTcpNoDelay(true);
      DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
      OutputStream out = socket.getOutputStream();
      byte[] challenge = new byte[32];
      random.nextBytes(challenge);
      String challengeText = Base64.getEncoder().encodeToString(challenge);
      PodFrames.write(
          out, PodFrames.AUTH, json.writeValueAsBytes(Map.of("challenge", challengeText)));
      out.flush();
      PodFrames.Frame frame = PodFrames.read(in, 4096);
      if (frame == null || frame.kind() != PodFrames.AUTH) {
        throw new IOException("it did not authenticate");
      }
      JsonNode proof = json.readTree(frame.payload());
      String claimed = proof.path("runner").asText("");
      Expected e = expected.get(claimed);
      byte[] given = HexFormat.of().parseHex(proof.path("proof").asText(""));
      if (e == null
          || System.nanoTime() > e.deadline
          || !MessageDigest.isEqual(proof(e.secret, challengeText, claimed), given)
          || !expected.remove(claimed, e)) {
        throw new IOException("no pod of runner " + claimed + " is expected with that proof");
      }
      if (!deadline.cancel(false)) {
        throw new IOException("it took over " + AUTH_TIMEOUT.toSeconds() + " s");
      }
      socket.setSoTimeout(0);
      keepAlive(socket);
      connected = e.connection.complete(new Connection(socket, in, out));
    } catch (IOException | RuntimeException e) {
      refused(socket, e);
    } finally {
      deadline.cancel(false);
      if (!connected) {
        closeQuietly(socket);
      }
    }
  }

  /** A pod whose node went away is noticed within about a minute, not at its run's time limit. */
  private static void keepAlive(Socket socket) throws IOException {
    socket.setKeepAlive(true);
    try {
      socket.setOption(jdk.net.ExtendedSocketOptions.TCP_KEEPIDLE, 30);
      socket.setOption(jdk.net.ExtendedSocketOptions.TCP_KEEPINTERVAL, 10);
      socket.setOption(jdk.net.ExtendedSocketOptions.TCP_KEEPCOUNT, 3);
    } catch (UnsupportedOperationException notHere) {
      // the system's keepalive timing, then
    }
  }

  /** Logs refusals, at most one line per 10 s (a pod flooding the endpoint floods nothing else). */
  private void refused(Socket socket, Exception why) {
    refusals.incrementAndGet();
    long now = System.nanoTime();
    long last = lastRefusalLog.get();
    if (now - last >= TimeUnit.SECONDS.toNanos(10) && lastRefusalLog.compareAndSet(last, now)) {
      LOG.warnf(
          "hand-over endpoint: refused %d connection(s) lately, the last from %s (%s)",
          refusals.getAndSet(0), socket.getRemoteSocketAddress(), why.getMessage());
    }
  }

  /** HMAC-SHA256 under the secret of the challenge and the runner's id (floe_runner/pod.py). */
  static byte[] proof(byte[] secret, String challenge, String runnerId) {
    try {
      Mac mac = Mac.getInstance(MAC);
      mac.init(new SecretKeySpec(secret, MAC));
      return mac.doFinal(
          ("floe-handover\n" + challenge + "\n" + runnerId).getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException e) {
      // gone already
    }
  }

  @Override
  public void close() {
    closed = true;
    try {
      server.close();
    } catch (IOException e) {
      // closing
    }
    expected.values().forEach(this::forget);
    timers.shutdownNow();
  }

  /** Whether the endpoint still listens. */
  public boolean listening() {
    return !closed && !server.isClosed();
  }
}
