package dev.floe.sandbox;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Runners started by bubblewrap: a cleared environment, an unprivileged uid with no-new-privileges,
 * kernel resource limits, namespaces (no network, own PID/IPC/UTS/mount), a seccomp filter, the
 * runner's cgroups, and a file system whose root is the runner's own read-only root directory with
 * read-only binds of the system, the interpreter and the harness on it, a size-capped tmpfs, and
 * its output files. Each runner is a fresh interpreter (it imports its libraries before it says it
 * is ready): slower to start than a forked one, but it needs no root.
 */
final class BwrapLauncher extends StartingLauncher {
  private static final LauncherKind KIND = new LauncherKind("bwrap", true, true, true);
  static final String SANDBOX_SOCKET = "/floe/ctl.sock";

  /** The system's directories and files a sandbox sees read-only (the tests' pods too). */
  static final List<String> SYSTEM = List.of("/usr", "/bin", "/lib", "/lib64", "/sbin");

  static final List<String> SYSTEM_FILES = List.of("/etc/ld.so.cache", "/etc/localtime");

  BwrapLauncher(LaunchSettings settings) {
    super(settings, KIND);
  }

  @Override
  public RunnerProcess start(
      RunnerFiles files, RunCgroups.Group group, RunnerLog log, RunnerChannel channel)
      throws IOException {
    return ProcessRunners.start(command(files, group), files.dir(), log, settings.threads());
  }

  List<String> command(RunnerFiles files, RunCgroups.Group group) {
    // A shell joins the runner's cgroups (so every descendant is in them), opens the seccomp
    // program as fd 9 for bwrap (dash redirects single digits only), then execs the chain.
    List<String> procs = group == null ? List.of() : group.procsFiles();
    List<String> cmd = new ArrayList<>();
    cmd.addAll(
        List.of(
            "sh",
            "-c",
            "n=$1; shift; while [ \"$n\" -gt 0 ]; do echo $$ > \"$1\" || exit 125; shift;"
                + " n=$((n - 1)); done; exec \"$@\" 9<\"$0\"",
            settings.seccompFilter().toString(),
            Integer.toString(procs.size())));
    cmd.addAll(procs);
    cmd.addAll(ProcessRunners.environment("/tmp"));
    long memory = settings.warm().memoryBytes();
    cmd.addAll(
        ProcessRunners.resourceLimits(
            group == null ? memory : 2 * memory + (4L << 30), settings.maxFileBytes()));
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
            "--ro-bind",
            files.root().toString(),
            "/",
            "--proc",
            "/proc",
            "--dev",
            "/dev",
            "--perms",
            "1777",
            "--size",
            Long.toString(settings.scratchBytes()),
            "--tmpfs",
            "/tmp"));
    if (!settings.root()) {
      // Unprivileged: bwrap needs a user namespace of its own to build the others.
      cmd.addAll(List.of("--unshare-user", "--cap-drop", "ALL"));
    }
    Set<String> mountPoints = new LinkedHashSet<>(List.of("/proc", "/dev", "/tmp"));
    for (String system : SYSTEM) {
      Path p = Path.of(system);
      if (Files.isSymbolicLink(p)) {
        symlink(files.root(), system, readLink(p));
      } else if (Files.isDirectory(p)) {
        cmd.addAll(List.of("--ro-bind", system, system));
        mountPoints.add(system);
      }
    }
    List<String> mountFiles = new ArrayList<>();
    for (String file : SYSTEM_FILES) {
      if (Files.exists(Path.of(file))) {
        cmd.addAll(List.of("--ro-bind", file, file));
        mountFiles.add(file);
      }
    }
    for (Path path : settings.python().sandboxPaths()) {
      if (!path.startsWith("/usr")) {
        cmd.addAll(traversableParents(path));
        cmd.addAll(List.of("--ro-bind", path.toString(), path.toString()));
        mountPoints.add(path.toString());
      }
    }
    for (Path lake : settings.lakeRoots()) {
      cmd.addAll(traversableParents(lake));
      cmd.addAll(List.of("--ro-bind", files.inRoot(lake).toString(), lake.toString()));
    }
    cmd.addAll(List.of("--ro-bind", files.outDir().toString(), RunnerFiles.SANDBOX_OUT));
    mountPoints.add(RunnerFiles.SANDBOX_OUT);
    for (String output : RunnerFiles.OUTPUTS) {
      cmd.addAll(
          List.of(
              "--bind",
              files.outDir().resolve(output).toString(),
              RunnerFiles.SANDBOX_OUT + "/" + output));
    }
    cmd.addAll(List.of("--bind", files.socket().toString(), SANDBOX_SOCKET));
    mountFiles.add(SANDBOX_SOCKET);
    mountPoints(files, mountPoints, mountFiles);
    cmd.addAll(List.of("--chdir", "/tmp", "--"));
    if (settings.root()) {
      // Root builds the namespaces (it can bind paths an unprivileged uid cannot reach), then the
      // last step before Python drops to the unprivileged uid with no capabilities and no way back.
      cmd.addAll(
          List.of(
              "setpriv",
              "--reuid=" + settings.uid(),
              "--regid=" + settings.gid(),
              "--clear-groups",
              "--inh-caps=-all",
              "--bounding-set=-all",
              "--no-new-privs",
              "--"));
    }
    cmd.addAll(settings.python().launch("runner", SANDBOX_SOCKET));
    return cmd;
  }

  /**
   * A bind under the sandbox's own tmpfs (a harness under /tmp) needs its parents made there, and
   * bubblewrap would make them 0700 for root: they must be traversable by the sandbox's uid.
   */
  private static List<String> traversableParents(Path target) {
    List<String> args = new ArrayList<>();
    if (!target.startsWith("/tmp")) {
      return args;
    }
    for (Path dir = Path.of("/tmp"); !dir.equals(target); ) {
      dir = dir.resolve(target.getName(dir.getNameCount()));
      args.addAll(List.of("--perms", "0755", "--dir", dir.toString()));
    }
    return args;
  }

  /**
   * The root is bound read-only, so bubblewrap cannot make the mount points in it: they are made on
   * the host first, traversable by the sandbox's uid.
   */
  private static void mountPoints(RunnerFiles files, Set<String> dirs, List<String> regular) {
    try {
      for (String dir : dirs) {
        files.makeDirsInRoot(Path.of(dir));
      }
      for (String file : regular) {
        Path target = files.inRoot(Path.of(file));
        files.makeDirsInRoot(Path.of(file).getParent());
        if (!Files.exists(target)) {
          Files.createFile(target);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot prepare the root of runner " + files.id(), e);
    }
  }

  /** The host's {@code /bin -> usr/bin} and the like, made in the root (it is read-only later). */
  private static void symlink(Path root, String link, String target) {
    Path at = root.resolve(link.substring(1));
    try {
      if (!Files.exists(at, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
        Files.createSymbolicLink(at, Path.of(target));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot prepare the root " + root, e);
    }
  }

  static String readLink(Path p) {
    try {
      return Files.readSymbolicLink(p).toString();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
