package dev.floe.sandbox.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The hand-over endpoint over real sockets: only the pod a runner expects, proving its one-time
 * secret against a fresh challenge, in time, once, is connected; everyone else is closed.
 */
class HandoverServerTest {
  private final ObjectMapper json = new ObjectMapper();
  private HandoverServer server;

  @BeforeEach
  void open() throws IOException {
    server =
        HandoverServer.open("127.0.0.1", 0, "127.0.0.1", json, Executors.newCachedThreadPool());
  }

  @AfterEach
  void close() {
    server.close();
  }

  @Test
  void theProofIsTheRelaysHmac() {
    // The same vector as tests/test_pod_relay.py: both sides compute one proof.
    byte[] secret = new byte[32];
    for (int i = 0; i < 32; i++) {
      secret[i] = (byte) i;
    }
    assertEquals(
        "608f4c3a06b8098dc7ccbd0608bded033be9cc5c536ed36352420817fac16149",
        HexFormat.of().formatHex(HandoverServer.proof(secret, "Y2hhbGxlbmdl", "rn-0123abcd")));
  }

  @Test
  void theExpectedPodConnectsOnceWithItsSecret() throws Exception {
    HandoverServer.Expected pod = server.expect("rn-1", Duration.ofSeconds(30));
    try (Socket wrong = connect("rn-1", "00".repeat(32))) {
      assertClosed(wrong);
    }
    assertFalse(pod.connection().isDone(), "a wrong secret connects nothing");
    try (Socket other = connect("rn-2", pod.secret())) {
      assertClosed(other);
    }
    try (Socket right = connect("rn-1", pod.secret())) {
      HandoverServer.Connection c = pod.connection().get(5, TimeUnit.SECONDS);
      PodFrames.write(c.out(), PodFrames.JSON, "{\"type\":\"job\"}".getBytes());
      c.out().flush();
      PodFrames.Frame job = PodFrames.read(new DataInputStream(right.getInputStream()), 1024);
      assertEquals(PodFrames.JSON, job.kind());
      // The secret is spent: the same proof again, on a new challenge, connects nothing.
      try (Socket again = connect("rn-1", pod.secret())) {
        assertClosed(again);
      }
    }
  }

  @Test
  void aPodTooLateOrForgottenIsRefused() throws Exception {
    HandoverServer.Expected late = server.expect("rn-late", Duration.ZERO);
    try (Socket s = connect("rn-late", late.secret())) {
      assertClosed(s);
    }
    assertFalse(late.connection().isDone());
    HandoverServer.Expected discarded = server.expect("rn-gone", Duration.ofSeconds(30));
    server.forget(discarded);
    assertTrue(discarded.connection().isCompletedExceptionally());
    try (Socket s = connect("rn-gone", discarded.secret())) {
      assertClosed(s);
    }
  }

  @Test
  void aHandshakeTooSlowIsCutAtItsDeadlineHoweverItsBytesTrickle() throws Exception {
    HandoverServer.Expected pod = server.expect("rn-slow", Duration.ofSeconds(60));
    String[] address = server.address().split(":");
    try (Socket slow = new Socket(address[0], Integer.parseInt(address[1]))) {
      slow.setSoTimeout(15_000);
      long started = System.nanoTime();
      PodFrames.read(new DataInputStream(slow.getInputStream()), 4096); // the challenge
      // One byte of a frame header every second: each read is quick, the handshake never ends.
      boolean cut = false;
      for (int i = 0; i < 12 && !cut; i++) {
        try {
          slow.getOutputStream().write('A');
          slow.getOutputStream().flush();
          Thread.sleep(1000);
        } catch (IOException closed) {
          cut = true;
        }
      }
      if (!cut) {
        assertClosed(slow);
      }
      long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
      assertTrue(seconds <= HandoverServer.AUTH_TIMEOUT.toSeconds() + 3, seconds + " s");
    }
    assertFalse(pod.connection().isDone());
  }

  /** Connects as the relay does: reads the challenge, answers with the proof under {@code hex}. */
  private Socket connect(String runner, String hex) throws IOException {
    String[] address = server.address().split(":");
    Socket socket = new Socket(address[0], Integer.parseInt(address[1]));
    socket.setSoTimeout(10_000);
    DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
    PodFrames.Frame challenge = PodFrames.read(in, 4096);
    assertEquals(PodFrames.AUTH, challenge.kind());
    JsonNode said = json.readTree(challenge.payload());
    byte[] proof =
        HandoverServer.proof(HexFormat.of().parseHex(hex), said.path("challenge").asText(), runner);
    PodFrames.write(
        socket.getOutputStream(),
        PodFrames.AUTH,
        json.writeValueAsBytes(Map.of("runner", runner, "proof", HexFormat.of().formatHex(proof))));
    return socket;
  }

  private static void assertClosed(Socket socket) throws IOException {
    assertEquals(-1, socket.getInputStream().read(), "the endpoint closes the connection");
  }
}
