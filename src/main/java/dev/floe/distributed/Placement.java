package dev.floe.distributed;

/**
 * Where a run executed and why: the response's {@code compute}.
 *
 * @param target {@code cloud} or {@code on-prem} for a distributed run, else null
 * @param reason why Floe chose, for {@code "distributed": "auto"}; else null
 * @param queryId the distributed engine's id of the run's query, once it was submitted
 */
public record Placement(
    boolean distributed,
    String target,
    String instanceType,
    Integer clusterSize,
    Integer vcpus,
    String reason,
    String queryId) {

  public static final Placement LOCAL = new Placement(false, null, null, null, null, null, null);

  public static Placement local(String reason) {
    return new Placement(false, null, null, null, null, reason, null);
  }

  public String mode() {
    return distributed ? "distributed" : "local";
  }

  public Placement withQueryId(String id) {
    return new Placement(distributed, target, instanceType, clusterSize, vcpus, reason, id);
  }
}
