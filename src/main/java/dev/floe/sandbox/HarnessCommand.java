package dev.floe.sandbox;

import java.nio.file.Path;
import java.util.List;

/**
 * The pieces of a harness command line that every local runner shares.
 *
 * @param maxFileBytes the largest file a run may write (RLIMIT_FSIZE): its result, and anything in
 *     its scratch space
 */
public record HarnessCommand(Path python, Path harnessDir, long maxFileBytes) {
  /** The default of floe.sandbox.max-result-file-mb. */
  public static final long DEFAULT_MAX_FILE_BYTES = 8L << 30;

  /** Open files of one process of a run (RLIMIT_NOFILE). */
  public static final int MAX_OPEN_FILES = 1024;

  public HarnessCommand(Path python, Path harnessDir) {
    this(python, harnessDir, DEFAULT_MAX_FILE_BYTES);
  }

  /** {@code env -i}: the run sees only these variables, never the service's. */
  public List<String> environment(RunSpec spec, String home) {
    return List.of(
        "env",
        "-i",
        "PATH=/usr/local/bin:/usr/bin:/bin",
        "HOME=" + home,
        "TMPDIR=" + home,
        "LANG=C.UTF-8",
        "POLARS_MAX_THREADS=" + spec.maxThreads());
  }

  /**
   * Kernel resource limits. The address-space limit is the memory limit of runners without a memory
   * cgroup; Polars runs under it (checked), and an allocation past it fails inside the run.
   */
  public List<String> resourceLimits(RunSpec spec) {
    return resourceLimits(spec, (long) spec.memoryMb() * 1024 * 1024);
  }

  /**
   * With a memory cgroup in force, the address-space limit is only a generous backstop. A write
   * past the file-size limit fails with EFBIG (Python ignores SIGXFSZ), which the runner reports as
   * the result's size limit.
   */
  public List<String> resourceLimits(RunSpec spec, long addressSpaceBytes) {
    long bytes = addressSpaceBytes;
    return List.of(
        "prlimit",
        "--as=" + bytes,
        "--core=0",
        "--nofile=" + MAX_OPEN_FILES,
        "--fsize=" + maxFileBytes,
        "--cpu=" + (spec.timeout().toSeconds() * Math.max(1, spec.maxThreads()) + 5),
        "--");
  }

  public List<String> python(RunSpec spec) {
    return List.of(
        python.toString(),
        "-I",
        "-B",
        harnessDir.resolve("floe_launch.py").toString(),
        spec.jobFile().toString());
  }
}
