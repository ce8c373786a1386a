package dev.floe.workload;

import dev.floe.distributed.Distribution;

/**
 * Where the plan executes and with which resources the client asked for.
 *
 * @param distribution locally, on the distributed engine, or as the input's size decides
 */
public record Compute(
    Distribution distribution, String instanceType, Integer clusterSize, Integer vcpus) {

  public static Compute local() {
    return new Compute(Distribution.LOCAL, null, null, null);
  }
}
