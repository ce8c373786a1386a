package dev.floe.workload;

import dev.floe.catalog.Reach;
import dev.floe.error.FloeException;
import java.util.Set;

/**
 * Who sent a request, as authentication proved it.
 *
 * @param principal the name runs, grants, quotas and the audit trail know the caller by
 * @param groups the groups its key or token names (grants to a group apply to its members)
 * @param admin may do anything: manage keys and grants, see every run and table
 * @param credential how it proved itself, never a secret: {@code key:<name>}, {@code jwt:<issuer>},
 *     or {@code none} while authentication is off
 * @param reach what its grants let it see, read and write
 * @param standing whether its credential still holds (a key revoked since is checked when its run
 *     starts, at each table the run asks for, and before its save is committed)
 */
public record Caller(
    String principal,
    Set<String> groups,
    boolean admin,
    String credential,
    Reach reach,
    Standing standing) {

  /** Whether a caller's credential still holds. */
  @FunctionalInterface
  public interface Standing {
    /** Always holds: no credential that can be revoked. */
    Standing PERMANENT = () -> null;

    /** Null while it holds; else the failure of whatever the caller's run does next. */
    FloeException refusal();
  }

  public Caller {
    groups = Set.copyOf(groups);
  }

  /** Every request while authentication is off ({@code floe.auth.enabled=false}). */
  public static final Caller UNAUTHENTICATED_ADMIN =
      new Caller("anonymous", Set.of(), true, "none", Reach.ALL, Standing.PERMANENT);

  /** Null while the caller's credential holds; else why its run may go no further. */
  public FloeException refusal() {
    return standing.refusal();
  }

  /** May see (follow, cancel, read the result and logs of) a run of {@code owner}. */
  public boolean sees(String owner) {
    return admin || principal.equals(owner);
  }
}
