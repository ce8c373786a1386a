package dev.floe.sandbox;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The local isolated runner: a cleared environment, an unprivileged uid with no-new-privileges,
 * kernel resource limits, and bubblewrap namespaces (no network, own PID/IPC/UTS/mount) over a file
 * system of read-only binds: the interpreter, the venv, the harness and the lake, and a seccomp
 * filter ({@link SeccompFilter}), and per-run cgroups ({@link RunCgroups}). The run may write only
 * its own output files ({@link #outputFiles}, each capped by RLIMIT_FSIZE) and a size-capped tmpfs.
 */
public final class BwrapRunner implements Runner {
  private final HarnessCommand harness;
  private final PythonEnvironment python;
  private final int uid;
  private final int gid;
  private final int scratchMb;
  private final boolean root;
  private final Path seccompFilter;
  private final Optional<RunCgroups> cgroups;
  private final int maxPids;

  public BwrapRunner(
      HarnessCommand harness,
      PythonEnvironment python,
      int uid,
      int gid,
      int scratchMb,
      Path seccompFilter,
      Optional<RunCgroups> cgroups,
      int maxPids) {
    this.harness = harness;
    this.seccompFilter = seccompFilter;
    this.cgroups = cgroups;
    this.maxPids = maxPids;
    this.python = python;
    this.uid = uid;
    this.gid = gid;
    this.scratchMb = scratchMb;
    this.root = "root".equals(System.getProperty("user.name"));
  }

  @Override
  public String name() {
    return "bwrap";
  }

  @Override
  public boolean isolated() {
    return true;
  }

  @Override
  public RunHandle start(RunSpec spec) {
    prepareOutputs(spec);
    RunCgroups.Group group;
    try {
      group =
          cgroups.isPresent()
              ? cgroups
                  .get()
                  .create(
                      spec.runId(),
                      new RunCgroups.Limits(
                          (long) spec.memoryMb() * 1024 * 1024, maxPids, spec.maxThreads()))
              : null;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create the cgroups of run " + spec.runId(), e);
    }
    RunHandle process;
    try {
      process =
          ProcessSupervisor.start(
              spec.runId(),
              command(spec, harness.python(spec), group),
              spec.runDir(),
              spec.timeout(),
              spec.log());
    } catch (RuntimeException e) {
      if (group != null) {
        group.killAndRemove();
      }
      throw e;
    }
    return new RunHandle() {
      @Override
      public ProcessResult await() throws InterruptedException {
        ProcessResult result;
        try {
          result = process.await();
          if (group != null) {
            result = result.withCgroupFindings(group.oomKilled(), group.pidsLimitHit());
          }
        } finally {
          if (group != null) {
            group.killAndRemove();
          }
        }
        // Every process of the run is gone: nothing can write these files any more.
        return inspectOutputs(spec, result);
      }

      @Override
      public void cancel() {
        process.cancel();
        // The supervisor kills the descendants it can see; the group holds re-parented ones too.
        if (group != null) {
          group.kill();
        }
      }
    };
  }

  /**
   * The files a run may write on the host, each a bind of its own over a read-only output
   * directory: a run can neither fill the host's disk with other files nor plant links there, and
   * each file is capped by RLIMIT_FSIZE. A new output file of the harness protocol must be added
   * here.
   */
  static List<Path> outputFiles(RunSpec spec) {
    return List.of(spec.resultFile(), spec.planFile(), spec.errorFile());
  }

  /**
   * Removes the output files the run left empty (so "the run wrote a result" keeps meaning "the
   * file exists"), and notes an output that stopped at the file-size limit.
   */
  private ProcessResult inspectOutputs(RunSpec spec, ProcessResult result) {
    long capped = 0;
    for (Path file : outputFiles(spec)) {
      if (!RunFiles.isPlainFile(file)) {
        continue;
      }
      try {
        long size = Files.size(file);
        if (size == 0) {
          Files.delete(file);
        } else if (size >= harness.maxFileBytes()) {
          capped = harness.maxFileBytes();
        }
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot inspect the output of run " + spec.runId(), e);
      }
    }
    return capped > 0 ? result.withFileSizeLimitHit(capped) : result;
  }

  /** The command line for the start-up probe: no cgroups, the rest as for a run. */
  List<String> command(RunSpec spec, List<String> inner) {
    return command(spec, inner, null);
  }

  private List<String> command(RunSpec spec, List<String> inner, RunCgroups.Group group) {
    // A shell joins the run's cgroups (so every descendant is in them), opens the seccomp program
    // as fd 9 for bwrap (dash redirects single digits only), then execs the chain.
    List<String> procs = group == null ? List.of() : group.procsFiles();
    List<String> cmd = new ArrayList<>();
    cmd.addAll(
        List.of(
            "sh",
            "-c",
            "n=$1; shift; while [ \"$n\" -gt 0 ]; do echo $$ > \"$1\" || exit 125; shift;"
                + " n=$((n - 1)); done; exec \"$@\" 9<\"$0\"",
            seccompFilter.toString(),
            Integer.toString(procs.size())));
    cmd.addAll(procs);
    cmd.addAll(harness.environment(spec, "/tmp"));
    long memory = (long) spec.memoryMb() * 1024 * 1024;
    cmd.addAll(harness.resourceLimits(spec, group == null ? memory : 2 * memory + (4L << 30)));
    cmd.addAll(
        List.of(
            "bwrap",
            "--unshare-pid",
            "--unshare-net",
            "--unshare-ipc",
            "--unshare-uts",
            // No cgroup namespace: a run can then see (and a test verify) that it is in its own
            // floe-runs cgroups before anything dangerous runs; it learns only its cgroup's path.
            "--die-with-parent",
            "--new-session",
            "--seccomp",
            "9",
            "--hostname",
            "floe-run",
            "--proc",
            "/proc",
            "--dev",
            "/dev",
            "--perms",
            "1777",
            "--size",
            Long.toString((long) scratchMb * 1024 * 1024),
            "--tmpfs",
            "/tmp"));
    if (!root) {
      // Unprivileged: bwrap needs a user namespace of its own to build the others.
      cmd.addAll(List.of("--unshare-user", "--cap-drop", "ALL"));
    }
    for (String system : List.of("/usr", "/bin", "/lib", "/lib64", "/sbin")) {
      Path p = Path.of(system);
      if (Files.isSymbolicLink(p)) {
        try {
          cmd.addAll(List.of("--symlink", Files.readSymbolicLink(p).toString(), system));
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      } else if (Files.isDirectory(p)) {
        cmd.addAll(List.of("--ro-bind", system, system));
      }
    }
    cmd.addAll(List.of("--ro-bind-try", "/etc/ld.so.cache", "/etc/ld.so.cache"));
    cmd.addAll(List.of("--ro-bind-try", "/etc/localtime", "/etc/localtime"));
    Set<String> readOnly = new LinkedHashSet<>();
    readOnly.add(python.basePrefix().toString());
    readOnly.add(python.prefix().toString());
    readOnly.add(harness.harnessDir().toString());
    readOnly.addAll(spec.readOnlyPaths());
    readOnly.removeIf(BwrapRunner::isUnderSystemDir);
    // bwrap would copy the host's modes onto the parents it creates (/root is 0700): create them
    // traversable first, so the unprivileged uid can reach what is bound below them.
    Set<String> parents = new LinkedHashSet<>();
    for (String path : concat(readOnly, spec.jobFile().toString(), spec.outDir().toString())) {
      for (Path p = Path.of(path).getParent();
          p != null && p.getParent() != null;
          p = p.getParent()) {
        parents.add(p.toString());
      }
    }
    parents.stream()
        .sorted(java.util.Comparator.comparingInt(String::length))
        .forEach(dir -> cmd.addAll(List.of("--perms", "0755", "--dir", dir)));
    for (String path : readOnly) {
      cmd.addAll(List.of("--ro-bind", path, path));
    }
    cmd.addAll(List.of("--ro-bind", spec.jobFile().toString(), spec.jobFile().toString()));
    cmd.addAll(List.of("--ro-bind", spec.outDir().toString(), spec.outDir().toString()));
    for (Path file : outputFiles(spec)) {
      cmd.addAll(List.of("--bind", file.toString(), file.toString()));
    }
    cmd.addAll(List.of("--chdir", "/tmp", "--"));
    if (root) {
      // Root builds the namespaces (it can bind paths an unprivileged uid cannot reach), then the
      // last step before Python drops to the unprivileged uid with no capabilities and no way back.
      cmd.addAll(
          List.of(
              "setpriv",
              "--reuid=" + uid,
              "--regid=" + gid,
              "--clear-groups",
              "--inh-caps=-all",
              "--bounding-set=-all",
              "--no-new-privs",
              "--"));
    }
    cmd.addAll(inner);
    return cmd;
  }

  private static List<String> concat(Set<String> paths, String... more) {
    List<String> all = new ArrayList<>(paths);
    all.addAll(List.of(more));
    return all;
  }

  /** A named pipe the service created in the run's directory before the run (never the run). */
  private static boolean isPipe(Path file) throws IOException {
    return Files.exists(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)
        && Files.readAttributes(
                file,
                java.nio.file.attribute.PosixFileAttributes.class,
                java.nio.file.LinkOption.NOFOLLOW_LINKS)
            .isOther();
  }

  private static boolean isUnderSystemDir(String path) {
    return path.startsWith("/usr/") || path.equals("/usr");
  }

  void prepareOutputs(RunSpec spec) {
    try {
      Files.createDirectories(spec.outDir());
      for (Path file : outputFiles(spec)) {
        if (isPipe(file)) {
          continue; // the service made it to read a streamed result from; it stays a pipe
        }
        Files.deleteIfExists(file);
        Files.createFile(file);
      }
      if (root) {
        // The unprivileged uid writes its result files; nothing else of the host is writable to it.
        for (Path file : outputFiles(spec)) {
          Files.setAttribute(file, "unix:uid", uid);
          Files.setAttribute(file, "unix:gid", gid);
        }
        Files.setPosixFilePermissions(
            spec.runDir(), java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(
            spec.jobFile(), java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot prepare the run directory " + spec.runDir(), e);
    }
  }
}
