package dev.floe.workload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.floe.config.LimitsConfig;
import dev.floe.config.QuotasConfig;
import dev.floe.error.ErrorCode;
import dev.floe.error.FloeException;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Server defaults when a request names none; a value above its cap or below 1 is refused. */
public class LimitsPolicyTest {

  /** The documented defaults and caps (application defaults of LimitsConfig). */
  static final class Defaults implements LimitsConfig {
    @Override
    public int timeoutSeconds() {
      return 300;
    }

    @Override
    public int timeoutSecondsCap() {
      return 3600;
    }

    @Override
    public int memoryMb() {
      return 4096;
    }

    @Override
    public int memoryMbCap() {
      return 16384;
    }

    @Override
    public int maxRows() {
      return 10_000;
    }

    @Override
    public int maxRowsCap() {
      return 1_000_000;
    }

    @Override
    public long maxResultBytes() {
      return 256L << 20;
    }

    @Override
    public long maxResultBytesCap() {
      return 2L << 30;
    }

    @Override
    public int logBytes() {
      return 65536;
    }
  }

  /** For other unit tests that need a policy with the documented values. */
  public static LimitsConfig defaults() {
    return new Defaults();
  }

  private final LimitsPolicy policy = new LimitsPolicy(new Defaults(), null);

  @Test
  void absentValuesTakeTheServerDefaults() {
    RunLimits limits = policy.apply(null, null, null, null);
    assertEquals(Duration.ofSeconds(300), limits.timeout());
    assertEquals(4096, limits.memoryMb());
    assertEquals(10_000, limits.maxRows());
    assertEquals(256L << 20, limits.maxResultBytes());
    assertEquals(Duration.ZERO, limits.queued());
  }

  @Test
  void valuesAtTheCapAreAcceptedAsAsked() {
    RunLimits limits = policy.apply(3600, 16384, 1_000_000, 2L << 30);
    assertEquals(Duration.ofSeconds(3600), limits.timeout());
    assertEquals(16384, limits.memoryMb());
    assertEquals(1_000_000, limits.maxRows());
    assertEquals(2L << 30, limits.maxResultBytes());
    assertEquals(1, policy.apply(1, 1, 1, 1L).maxRows());
  }

  @Test
  void aValueAboveItsCapIsRefusedNamingTheCapNeverClamped() {
    FloeException e = assertThrows(FloeException.class, () -> policy.apply(3601, null, null, null));
    assertEquals(ErrorCode.INVALID_REQUEST, e.code());
    assertEquals(
        "Cannot use limits.timeoutSeconds = 3601: this server's cap is 3600; ask for 3600 or less.",
        e.getMessage());
    assertTrue(
        assertThrows(FloeException.class, () -> policy.apply(null, null, null, (2L << 30) + 1))
            .getMessage()
            .contains("limits.maxResultBytes"));
    assertTrue(
        assertThrows(FloeException.class, () -> policy.apply(null, 16385, null, null))
            .getMessage()
            .contains("cap is 16384"));
    assertTrue(
        assertThrows(FloeException.class, () -> policy.apply(null, null, 1_000_001, null))
            .getMessage()
            .contains("limits.maxRows"));
  }

  @Test
  void zeroOrNegativeIsRefusedSayingTheMinimum() {
    FloeException zero = assertThrows(FloeException.class, () -> policy.apply(null, 0, null, null));
    assertEquals(ErrorCode.INVALID_REQUEST, zero.code());
    assertEquals("Cannot use limits.memoryMb = 0: it must be at least 1.", zero.getMessage());
    assertTrue(
        assertThrows(FloeException.class, () -> policy.apply(-5, null, null, null))
            .getMessage()
            .contains("at least 1"));
  }

  @Test
  void queueingTakesItsWaitOffTheRunTime() {
    RunLimits limits = policy.apply(10, null, null, null).afterQueueing(Duration.ofSeconds(3));
    assertEquals(Duration.ofSeconds(7), limits.runTime());
    assertEquals(Duration.ofSeconds(10), limits.timeout());
  }

  @Test
  void aPrincipalsOwnBudgetsReplaceTheServersForItAlone() {
    QuotasConfig quotas =
        new SmallRyeConfigBuilder()
            .withMapping(QuotasConfig.class)
            .withDefaultValues(
                Map.of(
                    "floe.quotas.principals.\"team-a\".memory-mb", "1024",
                    "floe.quotas.principals.\"team-a\".memory-mb-cap", "2048",
                    "floe.quotas.principals.\"team-a\".timeout-seconds-cap", "60"))
            .build()
            .getConfigMapping(QuotasConfig.class);
    LimitsPolicy perPrincipal = new LimitsPolicy(new Defaults(), quotas);
    RunLimits teamA = perPrincipal.apply("team-a", null, null, null, null);
    assertEquals(1024, teamA.memoryMb());
    FloeException over =
        assertThrows(
            FloeException.class, () -> perPrincipal.apply("team-a", null, 4096, null, null));
    assertTrue(over.getMessage().contains("the cap for team-a is 2048"), over.getMessage());
    FloeException tooLong =
        assertThrows(
            FloeException.class, () -> perPrincipal.apply("team-a", 120, null, null, null));
    assertTrue(tooLong.getMessage().contains("the cap for team-a is 60"), tooLong.getMessage());
    RunLimits other = perPrincipal.apply("team-b", null, 4096, null, null);
    assertEquals(4096, other.memoryMb());
  }
}
