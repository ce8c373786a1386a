package dev.floe.workload;

/** Where the plan executes and with which resources the client asked for. */
public record Compute(
    boolean distributed, String instanceType, Integer clusterSize, Integer vcpus) {}
