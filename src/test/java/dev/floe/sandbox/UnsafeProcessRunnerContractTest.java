package dev.floe.sandbox;

import dev.floe.testing.TempLake;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.util.Map;

/** The development runner passes the same contract, without isolation. */
@QuarkusTest
@QuarkusTestResource(TempLake.class)
@TestProfile(UnsafeProcessRunnerContractTest.Unsafe.class)
class UnsafeProcessRunnerContractTest extends RunnerContractTest {

  /** Selects the unisolated runner explicitly, as a developer would. */
  public static class Unsafe implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("floe.sandbox.runner", "unsafe-process");
    }
  }

  @Override
  String runnerName() {
    return "unsafe-process";
  }

  @Override
  boolean isolates() {
    return false;
  }
}
