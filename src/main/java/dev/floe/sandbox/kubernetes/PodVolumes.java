package dev.floe.sandbox.kubernetes;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A run pod's only writable places, each an empty directory of {@code floe.kubernetes.tmp-mb}:
 * {@code /tmp}, its output directory, and each lake root (where its granted files arrive).
 */
final class PodVolumes {
  /** The pod's empty directories: /tmp, its outputs, and each lake root, in that order. */
  private final List<String> writable;

  private final long tmpMb;

  PodVolumes(List<Path> lakeRoots, long tmpMb) {
    List<String> paths = new ArrayList<>(List.of("/tmp", RunPods.OUT));
    writableLakeRoots(lakeRoots).forEach(p -> paths.add(p.toString()));
    this.writable = List.copyOf(paths);
    this.tmpMb = tmpMb;
  }

  /**
   * The lake roots a pod gets an empty directory at: each once, and none that would hide the
   * image's harness or a pod's own directories.
   */
  static List<Path> writableLakeRoots(List<Path> lakeRoots) {
    List<Path> roots = new ArrayList<>();
    for (Path root : lakeRoots) {
      Path p = root.toAbsolutePath().normalize();
      // A lake at / or at a parent of these would hide them (one at /tmp is /tmp's own volume).
      for (String own : List.of(RunPods.OUT, RunPods.HARNESS, "/tmp")) {
        if (Path.of(own).startsWith(p) && !Path.of(own).equals(p)) {
          throw new IllegalArgumentException(
              "a lake at "
                  + p
                  + " would hide "
                  + own
                  + " in a run pod; put the warehouse (or floe.home) elsewhere");
        }
      }
      if (!roots.contains(p) && !p.equals(Path.of("/tmp")) && !p.startsWith(RunPods.OUT)) {
        roots.add(p);
      }
    }
    return List.copyOf(roots);
  }

  List<VolumeMount> mounts() {
    List<VolumeMount> mounts = new ArrayList<>();
    for (int i = 0; i < writable.size(); i++) {
      mounts.add(
          new VolumeMountBuilder().withName(volumeName(i)).withMountPath(writable.get(i)).build());
    }
    return mounts;
  }

  List<Volume> volumes() {
    List<Volume> volumes = new ArrayList<>();
    for (int i = 0; i < writable.size(); i++) {
      volumes.add(
          new VolumeBuilder()
              .withName(volumeName(i))
              .withNewEmptyDir()
              .withSizeLimit(new Quantity(tmpMb + "Mi"))
              .endEmptyDir()
              .build());
    }
    return volumes;
  }

  private static String volumeName(int i) {
    return switch (i) {
      case 0 -> "tmp";
      case 1 -> "out";
      default -> "lake-" + (i - 2);
    };
  }
}
