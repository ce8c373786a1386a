package dev.floe.catalog.trusted;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.floe.testing.TempLake;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pool of long-lived trusted writers without the HTTP stack: real writer processes (the build's
 * Python environment, the package from src/main/python) asked real questions about a real SQLite
 * catalog; writers killed, stopped and replaced for real.
 */
class TrustedWriterPoolTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final String TOKEN = "0123456789abcdef0123456789abcdef";

  @TempDir Path dir;
  private TrustedWriterPool pool;
  private TrustedRequest.FindLanded question;

  @BeforeEach
  void startPool() throws Exception {
    Files.createDirectories(dir.resolve("warehouse"));
    var catalog =
        new CatalogAccess(
            "lake",
            Map.of(
                "type",
                "sql",
                "uri",
                "sqlite:///" + dir.resolve("catalog.db"),
                "warehouse",
                dir.resolve("warehouse").toUri().toString()));
    question = new TrustedRequest.FindLanded(catalog, "ns.t", TOKEN);
    pool = pool(2);
  }

  private TrustedWriterPool pool(int size) {
    Path python = TempLake.projectHome().resolve("venv/bin/python");
    var launch =
        new TrustedWriterPool.Launch(
            python, null, Path.of("src/main/python").toAbsolutePath(), dir, TIMEOUT);
    return new TrustedWriterPool(launch, new TrustedProtocol(new ObjectMapper()), size);
  }

  @AfterEach
  void stopPool() {
    pool.close();
  }

  @Test
  void oneWriterServesRequestAfterRequest() throws Exception {
    for (int i = 0; i < 5; i++) {
      assertInstanceOf(TrustedAnswer.NotLanded.class, pool.ask(question, TIMEOUT));
    }
    assertEquals(1, pool.pids().size());
  }

  @Test
  void concurrentRequestsUseUpToPoolSizeWriters() throws Exception {
    for (TrustedAnswer answer : askAtOnce(4, 8)) {
      assertInstanceOf(TrustedAnswer.NotLanded.class, answer);
    }
    assertEquals(2, pool.pids().size(), "the pool's size caps its writers");
  }

  @Test
  void aWriterThatDiedWhileIdleIsReplaced() throws Exception {
    pool.ask(question, TIMEOUT);
    long first = pool.pids().get(0);

    signal("KILL", first);
    awaitGone(first);

    assertInstanceOf(TrustedAnswer.NotLanded.class, pool.ask(question, TIMEOUT));
    assertEquals(1, pool.pids().size());
    assertNotEquals(first, pool.pids().get(0));
  }

  @Test
  void aWriterThatHangsIsKilledAtTheTimeoutAndReplaced() throws Exception {
    pool.ask(question, TIMEOUT);
    long hung = pool.pids().get(0);
    signal("STOP", hung);

    var lost =
        assertThrows(
            TrustedWriterException.class, () -> pool.ask(question, Duration.ofMillis(1500)));

    assertEquals(TrustedWriterException.Kind.TIMED_OUT, lost.kind());
    assertFalse(alive(hung), "the hung writer is killed, so it can commit nothing more");
    assertInstanceOf(TrustedAnswer.NotLanded.class, pool.ask(question, TIMEOUT));
    assertFalse(pool.pids().contains(hung));
  }

  @Test
  void aWriterThatDiesMidRequestIsReportedAsDied() throws Exception {
    pool.ask(question, TIMEOUT);
    long doomed = pool.pids().get(0);
    signal("STOP", doomed); // so the request is surely in flight when it dies
    Thread killer =
        new Thread(
            () -> {
              try {
                Thread.sleep(500);
                signal("KILL", doomed);
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    killer.start();

    var lost = assertThrows(TrustedWriterException.class, () -> pool.ask(question, TIMEOUT));
    killer.join();

    assertEquals(TrustedWriterException.Kind.DIED, lost.kind());
    assertInstanceOf(TrustedAnswer.NotLanded.class, pool.ask(question, TIMEOUT));
  }

  @Test
  void closeStopsEveryWriter() throws Exception {
    askAtOnce(2, 4);
    Set<Long> pids = new HashSet<>(pool.pids());
    assertFalse(pids.isEmpty());

    pool.close();

    for (long pid : pids) {
      assertFalse(alive(pid), "writer " + pid + " outlived the pool");
    }
    var refused = assertThrows(TrustedWriterException.class, () -> pool.ask(question, TIMEOUT));
    assertEquals(TrustedWriterException.Kind.UNAVAILABLE, refused.kind());
  }

  @Test
  void noPythonEnvironmentIsReportedNotHidden() {
    var launch =
        new TrustedWriterPool.Launch(
            Path.of("/nonexistent/python"), "no Python environment here", dir, dir, TIMEOUT);
    try (var broken = new TrustedWriterPool(launch, new TrustedProtocol(new ObjectMapper()), 1)) {
      var refused = assertThrows(TrustedWriterException.class, () -> broken.ask(question, TIMEOUT));
      assertEquals(TrustedWriterException.Kind.UNAVAILABLE, refused.kind());
      assertTrue(refused.getMessage().contains("no Python environment here"));
    }
  }

  static void signal(String signal, long pid) throws Exception {
    Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).start();
    assertEquals(0, kill.waitFor());
  }

  private static boolean alive(long pid) {
    return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }

  private static void awaitGone(long pid) throws InterruptedException {
    for (int i = 0; i < 100 && alive(pid); i++) {
      Thread.sleep(50);
    }
    assertFalse(alive(pid));
  }

  /** {@code count} requests sent by {@code callers} as nearly at once as they can. */
  /** {@code count} requests at once from {@code threads} callers; their answers, all come. */
  private List<TrustedAnswer> askAtOnce(int threads, int count) throws Exception {
    ExecutorService callers = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<TrustedAnswer>> pending = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        pending.add(
            callers.submit(
                () -> {
                  go.await();
                  return pool.ask(question, TIMEOUT);
                }));
      }
      go.countDown();
      List<TrustedAnswer> answers = new ArrayList<>();
      for (Future<TrustedAnswer> answer : pending) {
        answers.add(answer.get());
      }
      return answers;
    } finally {
      callers.shutdown();
    }
  }
}
