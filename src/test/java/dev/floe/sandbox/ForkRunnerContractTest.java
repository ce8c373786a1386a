package dev.floe.sandbox;

import dev.floe.testing.TempLake;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.util.Map;

/** The default runner where Floe runs as root: forked from the template, isolated by itself. */
@QuarkusTest
@QuarkusTestResource(TempLake.class)
@TestProfile(ForkRunnerContractTest.Fork.class)
class ForkRunnerContractTest extends RunnerContractTest {

  /** Selects the fork runner explicitly. */
  public static class Fork implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("floe.sandbox.runner", "fork");
    }
  }

  @Override
  String runnerName() {
    return "fork";
  }

  @Override
  boolean isolates() {
    return true;
  }
}
