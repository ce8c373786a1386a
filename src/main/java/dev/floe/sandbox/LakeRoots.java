package dev.floe.sandbox;

import java.nio.file.Path;
import java.util.List;

/**
 * The local directories that tables' files live under (the warehouses). A runner is started before
 * it knows its tables; where such a directory lies under one of the sandbox's own mounts (a
 * warehouse under {@code /tmp}), the runner binds its root's copy of it there at start, so that
 * files granted later still appear at their own paths.
 */
public interface LakeRoots {
  List<Path> roots();
}
