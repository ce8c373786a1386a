package dev.floe.config;

import io.smallrye.config.ConfigMapping;
import jakarta.validation.constraints.Positive;
import java.util.Map;
import java.util.Optional;

/**
 * What one principal may use of the shared runners: runs executing at once and runs waiting, and
 * its own run budgets. A principal over its quota gets 429 QUOTA_EXCEEDED while the others still
 * get runners; the queue serves principals in turn, not first come first served.
 *
 * <p>Defaults apply to every principal; {@code floe.quotas.principals."<name>".*} overrides them
 * for one.
 */
@ConfigMapping(prefix = "floe.quotas")
public interface QuotasConfig {
  /** Runs of one principal executing at once. Default: every runner. */
  Optional<@Positive Integer> running();

  /** Runs of one principal waiting for a runner. Default: half the queue. */
  Optional<@Positive Integer> queued();

  /** One principal's own quotas and budgets, each defaulting to the general one. */
  Map<String, Principal> principals();

  /** Quotas and run budgets of one principal. */
  interface Principal {
    Optional<@Positive Integer> running();

    Optional<@Positive Integer> queued();

    /** Its default memory budget per run (else {@code floe.limits.memory-mb}). */
    Optional<@Positive Integer> memoryMb();

    /** The most memory it may ask for (else {@code floe.limits.memory-mb-cap}). */
    Optional<@Positive Integer> memoryMbCap();

    /** Its default time limit per run (else {@code floe.limits.timeout-seconds}). */
    Optional<@Positive Integer> timeoutSeconds();

    /** The longest time limit it may ask for (else {@code floe.limits.timeout-seconds-cap}). */
    Optional<@Positive Integer> timeoutSecondsCap();
  }
}
