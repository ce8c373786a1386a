package dev.floe.sandbox;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;

/**
 * One runner's files on the host, under {@code <runners>/<id>/}: the read-only root its sandbox
 * sees as {@code /} (granted tables' files appear in it at their own paths when the trusted side
 * links them there), its output directory with the only files it may write, the pipe its
 * stdout/stderr go to, and the socket of its channel to the service.
 *
 * @param root the sandbox's root, or null for a runner without isolation (it sees the host)
 */
public record RunnerFiles(String id, Path dir, Path root, Path outDir, Path log, Path socket) {
  /** Where an isolated runner sees its output directory. */
  public static final String SANDBOX_OUT = "/floe/out";

  private static final Set<PosixFilePermission> TRAVERSABLE =
      PosixFilePermissions.fromString("rwxr-xr-x");

  public static final String RESULT = "result.arrows";
  public static final String RESULT_PIPE = "result.pipe";
  public static final String PLAN = "plan.json";
  public static final String ERROR = "error.json";

  /**
   * The files a run may write, each bound writable over a read-only output directory: a run can
   * neither fill the host's disk with other files nor plant links there. A new output file of the
   * harness protocol must be added here.
   */
  public static final List<String> OUTPUTS = List.of(RESULT, RESULT_PIPE, PLAN, ERROR);

  /** The named pipes of a runner: its log and its streamed result. */
  public static final List<String> PIPES = List.of("log", "out/" + RESULT_PIPE);

  /**
   * Creates a runner's directory. With {@code owner} (the sandbox's uid:gid, when the service runs
   * as root) the output files are the run's to write and nothing else is. Without {@code
   * makePipes}, the launcher creates {@link #PIPES} itself (without starting a process for each).
   */
  public static RunnerFiles create(
      Path runners, String id, boolean isolated, int[] owner, boolean makePipes) {
    Path dir = runners.resolve(id);
    try {
      Files.createDirectories(dir);
      Path out = Files.createDirectory(dir.resolve("out"));
      Path root = isolated ? Files.createDirectory(dir.resolve("root")) : null;
      for (String name : OUTPUTS) {
        Path file = out.resolve(name);
        if (name.equals(RESULT_PIPE)) {
          if (makePipes) {
            Fifo.create(file, "0666");
          }
          continue;
        }
        Files.createFile(file);
        if (owner != null) {
          Files.setAttribute(file, "unix:uid", owner[0], LinkOption.NOFOLLOW_LINKS);
          Files.setAttribute(file, "unix:gid", owner[1], LinkOption.NOFOLLOW_LINKS);
        }
      }
      Path log = dir.resolve("log");
      if (makePipes) {
        Fifo.create(log, "0600");
      }
      for (Path p : root == null ? List.of(dir, out) : List.of(dir, out, root)) {
        Files.setPosixFilePermissions(p, TRAVERSABLE);
      }
      return new RunnerFiles(id, dir, root, out, log, dir.resolve("ctl.sock"));
    } catch (IOException e) {
      RunFiles.deleteTree(dir);
      throw new UncheckedIOException("Cannot create the directory of runner " + id, e);
    }
  }

  public boolean isolated() {
    return root != null;
  }

  public Path resultFile() {
    return outDir.resolve(RESULT);
  }

  public Path resultPipe() {
    return outDir.resolve(RESULT_PIPE);
  }

  public Path planFile() {
    return outDir.resolve(PLAN);
  }

  public Path errorFile() {
    return outDir.resolve(ERROR);
  }

  /** How the run itself names one of its output files. */
  public String seenByRun(Path output) {
    return isolated() ? SANDBOX_OUT + "/" + output.getFileName() : output.toString();
  }

  /**
   * Where a host file must be put so that the run sees it at its own path, or the path itself for a
   * runner that sees the host.
   */
  public Path inRoot(Path hostFile) {
    if (!isolated()) {
      return hostFile;
    }
    return root.resolve(hostFile.toAbsolutePath().normalize().toString().substring(1));
  }

  /**
   * Makes the directory where the run sees {@code hostDir} (and its parents) in the runner's root,
   * each traversable by the sandbox's uid whatever the service's umask; returns it. Concurrent
   * callers may make the same directories.
   */
  public Path makeDirsInRoot(Path hostDir) throws IOException {
    Path dir = root;
    for (Path part : hostDir.toAbsolutePath().normalize()) {
      dir = dir.resolve(part.toString());
      if (!Files.isDirectory(dir)) {
        try {
          Files.createDirectory(dir);
        } catch (FileAlreadyExistsException raced) {
          continue; // made meanwhile, by a caller that sets its permissions
        }
        Files.setPosixFilePermissions(dir, TRAVERSABLE);
      }
    }
    return dir;
  }

  public void delete() {
    RunFiles.deleteTree(dir);
  }

  /**
   * Removes the output files the run left empty (so "the run wrote a result" keeps meaning "the
   * file exists"), and notes an output that stopped at the file-size limit.
   */
  RunnerExit.LimitsHit inspectOutputs(RunnerExit.LimitsHit hit, long maxFileBytes) {
    long capped = 0;
    for (Path file : new Path[] {resultFile(), planFile(), errorFile()}) {
      if (!RunFiles.isPlainFile(file)) {
        continue;
      }
      try {
        long size = Files.size(file);
        if (size == 0) {
          Files.delete(file);
        } else if (size >= maxFileBytes) {
          capped = maxFileBytes;
        }
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot inspect the output of runner " + id(), e);
      }
    }
    return capped == 0
        ? hit
        : new RunnerExit.LimitsHit(hit.oomKilled(), hit.pidsLimitHit(), capped);
  }
}
