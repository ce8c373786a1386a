package dev.floe.sandbox;

import java.nio.file.Path;
import java.util.List;

/** The pieces of a harness command line that every local runner shares. */
public record HarnessCommand(Path python, Path harnessDir) {

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

  /** With a memory cgroup in force, the address-space limit is only a generous backstop. */
  public List<String> resourceLimits(RunSpec spec, long addressSpaceBytes) {
    long bytes = addressSpaceBytes;
    return List.of(
        "prlimit",
        "--as=" + bytes,
        "--core=0",
        "--nofile=1024",
        "--fsize=" + (8L << 30),
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
