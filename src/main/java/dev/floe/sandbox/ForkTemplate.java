package dev.floe.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jboss.logging.Logger;

/**
 * The fork template ({@code floe_runner/template.py}): one interpreter that imported what runs need
 * and forks each runner from itself; the runner isolates itself before it can receive code. It runs
 * the service's own code only, never a job. Requests and events are JSON lines on its stdin and
 * stdout; its stderr (a runner that failed to isolate itself says why there) goes to the log.
 */
final class ForkTemplate implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(ForkTemplate.class);

  /** A runner's monitor process, as the template forked it. */
  record Spawned(long pid, long templatePid, CompletableFuture<Integer> exit) {}

  private final Process process;
  private final BufferedWriter requests;
  private final ObjectMapper json;
  private final JsonNode ready;
  private final Map<String, CompletableFuture<Long>> spawning = new ConcurrentHashMap<>();
  private final Map<String, CompletableFuture<Integer>> exits = new ConcurrentHashMap<>();
  private volatile boolean gone;

  private ForkTemplate(Process process, ObjectMapper json, JsonNode ready) {
    this.process = process;
    this.json = json;
    this.ready = ready;
    this.requests =
        new BufferedWriter(
            new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8));
  }

  static ForkTemplate start(PythonRuntime python, ObjectMapper json, Executor threads)
      throws IOException {
    List<String> command =
        ProcessRunners.concat(
            List.of(
                "env",
                "-i",
                "PATH=/usr/local/bin:/usr/bin:/bin",
                "LANG=C.UTF-8",
                // No allocator background threads: a forked child would lack them.
                "_RJEM_MALLOC_CONF=background_thread:false",
                "JE_ARROW_MALLOC_CONF=background_thread:false"),
            python.launch("template"));
    Process process = new ProcessBuilder(command).start();
    threads.execute(() -> logStderr(process));
    BufferedReader events =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    CompletableFuture<String> first = new CompletableFuture<>();
    threads.execute(
        () -> {
          try {
            first.complete(events.readLine());
          } catch (IOException e) {
            first.completeExceptionally(e);
          }
        });
    String line;
    try {
      line = first.get(180, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
      throw new IOException("interrupted while the fork template started", e);
    } catch (ExecutionException | TimeoutException e) {
      process.destroyForcibly();
      throw new IOException("the fork template did not start: " + e, e);
    }
    if (line == null) {
      throw new IOException("the fork template exited at start (exit " + waitFor(process) + ")");
    }
    JsonNode ready = json.readTree(line);
    if (!"ready".equals(ready.path("event").asText())) {
      process.destroyForcibly();
      throw new IOException("the fork template said " + line + " instead of ready");
    }
    ForkTemplate template = new ForkTemplate(process, json, ready);
    threads.execute(() -> template.readEvents(events));
    return template;
  }

  /** The template's ready event: its pid, its threads, the library versions it imported. */
  JsonNode readiness() {
    return ready;
  }

  boolean alive() {
    return !gone && process.isAlive();
  }

  /** Forks one runner; returns once the template has forked it. */
  Spawned spawn(String runner, ObjectNode request) throws IOException {
    CompletableFuture<Long> pid = new CompletableFuture<>();
    CompletableFuture<Integer> exit = new CompletableFuture<>();
    spawning.put(runner, pid);
    exits.put(runner, exit);
    try {
      synchronized (requests) {
        if (!alive()) {
          throw new IOException("the fork template is not running");
        }
        requests.write(json.writeValueAsString(request.put("op", "spawn")));
        requests.write('\n');
        requests.flush();
      }
      return new Spawned(pid.get(30, TimeUnit.SECONDS), process.pid(), exit);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while forking runner " + runner, e);
    } catch (ExecutionException | TimeoutException e) {
      exits.remove(runner);
      Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
      throw new IOException("the fork template could not fork runner " + runner + ": " + cause);
    } finally {
      spawning.remove(runner);
    }
  }

  private void readEvents(BufferedReader events) {
    try {
      for (String line = events.readLine(); line != null; line = events.readLine()) {
        JsonNode event = json.readTree(line);
        String runner = event.path("runner").asText();
        switch (event.path("event").asText()) {
          case "spawned" -> complete(spawning.get(runner), event.path("pid").asLong());
          case "refused" -> {
            CompletableFuture<Long> pending = spawning.get(runner);
            if (pending != null) {
              pending.completeExceptionally(new IOException(event.path("message").asText()));
            }
          }
          case "exited" -> complete(exits.remove(runner), event.path("status").asInt());
          default -> LOG.warnf("the fork template said something unexpected: %s", line);
        }
      }
    } catch (IOException e) {
      LOG.warnf("reading the fork template's events failed: %s", e.getMessage());
    } finally {
      gone = true;
      IOException lost = new IOException("the fork template exited; its runners are gone");
      spawning.values().forEach(f -> f.completeExceptionally(lost));
      exits.values().forEach(f -> f.completeExceptionally(lost));
      LOG.warnf(
          "the fork template exited (%d); runners will start from a new one", waitFor(process));
    }
  }

  private static <T> void complete(CompletableFuture<T> future, T value) {
    if (future != null) {
      future.complete(value);
    }
  }

  private static void logStderr(Process process) {
    try (BufferedReader err =
        new BufferedReader(
            new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
      for (String line = err.readLine(); line != null; line = err.readLine()) {
        LOG.warnf("fork template: %s", line);
      }
    } catch (IOException e) {
      // the template is gone
    }
  }

  private static int waitFor(Process process) {
    try {
      return process.waitFor(5, TimeUnit.SECONDS) ? process.exitValue() : -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  /** Closing its stdin ends the template; its runners die with it (their parent-death signal). */
  @Override
  public void close() {
    gone = true;
    try {
      synchronized (requests) {
        requests.close();
      }
    } catch (IOException e) {
      // already gone
    }
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
