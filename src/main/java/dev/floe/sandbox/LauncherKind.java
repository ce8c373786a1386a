package dev.floe.sandbox;

/**
 * The kind of runner a launcher starts: its configuration name, whether user code in it is isolated
 * from the service and the host, and whether the service makes its result pipes (a forked runner
 * makes its own, as the sandbox uid, inside its file system).
 */
public record LauncherKind(String name, boolean isolated, boolean servicePipes) {}
