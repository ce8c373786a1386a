package dev.floe.sandbox;

/**
 * A kind of runner: its configuration name, whether user code in it is isolated from the service
 * and the host, and whether the service makes its result pipes (a forked runner makes its own, as
 * the sandbox uid, inside its file system).
 */
public record RunnerKind(String name, boolean isolated, boolean servicePipes) {}
