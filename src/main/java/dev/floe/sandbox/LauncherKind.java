package dev.floe.sandbox;

/**
 * The kind of runner a launcher starts: its configuration name, whether user code in it is isolated
 * from the service and the host, and whether the service makes its result pipes (a forked runner
 * makes its own, as the sandbox uid, inside its file system).
 *
 * @param addressSpaceBackstop a run's address-space limit is only a generous backstop (its memory
 *     is held by a cgroup, or the kind's isolation leaves rlimits as the only other bound and
 *     Polars' reservations must fit); false: the address-space limit is the run's memory limit
 */
public record LauncherKind(
    String name, boolean isolated, boolean servicePipes, boolean addressSpaceBackstop) {}
