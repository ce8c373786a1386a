package dev.floe.sandbox;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.FileInputStream;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Runners forked from the template ({@link ForkTemplate}): each a copy of an interpreter that has
 * imported Polars, PyArrow and PyIceberg, so starting one costs a fork and its isolation, not an
 * interpreter and its imports. Needs root (it builds the namespaces itself, as bubblewrap would).
 */
final class ForkLauncher extends StartingLauncher {
  private static final LauncherKind KIND = new LauncherKind("fork", true, false, true);
  private ForkTemplate template;

  ForkLauncher(LaunchSettings settings) throws IOException {
    super(settings, KIND);
    this.template = ForkTemplate.start(settings.python(), settings.json(), settings.threads());
  }

  /** The template's ready event, for readiness: its threads and the versions it imported. */
  @Override
  public String describe() {
    var ready = template().readiness();
    return "template pid " + ready.path("pid").asLong() + ", " + ready.path("versions");
  }

  private synchronized ForkTemplate template() {
    return template;
  }

  /** A template that died (it should not) is replaced by a new one for the next runner. */
  private synchronized ForkTemplate liveTemplate() throws IOException {
    if (!template.alive()) {
      template.close();
      template = ForkTemplate.start(settings.python(), settings.json(), settings.threads());
    }
    return template;
  }

  @Override
  public RunnerProcess start(
      RunnerFiles files, RunCgroups.Group group, RunnerLog log, RunnerChannel channel)
      throws IOException {
    ObjectNode request = settings.json().createObjectNode();
    request.put("runner", files.id());
    request.put("root", files.root().toString());
    ArrayNode procs = request.putArray("procs");
    (group == null ? List.<String>of() : group.procsFiles()).forEach(procs::add);
    request.put("log", files.log().toString());
    request.put("socket", files.socket().toString());
    request.put("uid", settings.uid());
    request.put("gid", settings.gid());
    request.put("scratch_bytes", settings.scratchBytes());
    request.put("seccomp", settings.seccompFilter().toString());
    ArrayNode readOnly = request.putArray("read_only");
    settings.python().sandboxPaths().forEach(p -> readOnly.add(p.toString()));
    ArrayNode lakes = request.putArray("lake_roots");
    settings.lakeRoots().forEach(p -> lakes.add(p.toString()));
    request.put("out_dir", files.outDir().toString());
    ArrayNode outputs = request.putArray("out_files");
    RunnerFiles.OUTPUTS.forEach(outputs::add);
    ArrayNode pipes = request.putArray("pipes");
    pipes.addObject().put("path", files.log().toString()).put("mode", 0600);
    pipes.addObject().put("path", files.resultPipe().toString()).put("mode", 0666);
    ForkTemplate.Spawned spawned = liveTemplate().spawn(files.id(), request);
    CompletableFuture<Void> output =
        OutputPump.start(() -> new FileInputStream(files.log().toFile()), log, settings.threads());
    return new Process(spawned, output);
  }

  @Override
  public void close() {
    template().close();
  }

  private record Process(ForkTemplate.Spawned spawned, CompletableFuture<Void> output)
      implements RunnerProcess {
    @Override
    public CompletableFuture<Integer> exit() {
      return spawned.exit();
    }

    @Override
    public void kill() {
      // The monitor's death takes its namespace's init with it (parent-death signal), and init's
      // takes every process in the namespace.
      // Only while it is still the template's child: a reaped monitor's pid may be reused.
      ProcessHandle.of(spawned.pid())
          .filter(p -> p.parent().map(t -> t.pid() == spawned.templatePid()).orElse(false))
          .ifPresent(ProcessHandle::destroyForcibly);
    }
  }
}
