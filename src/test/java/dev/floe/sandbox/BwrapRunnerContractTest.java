package dev.floe.sandbox;

import dev.floe.testing.TempLake;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.util.Map;

/** Runners started by bubblewrap (a fresh interpreter each): the runner without root. */
@QuarkusTest
@QuarkusTestResource(TempLake.class)
@TestProfile(BwrapRunnerContractTest.Bwrap.class)
class BwrapRunnerContractTest extends RunnerContractTest {

  /** Selects bubblewrap explicitly. */
  public static class Bwrap implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("floe.sandbox.runner", "bwrap");
    }
  }

  @Override
  String runnerName() {
    return "bwrap";
  }

  @Override
  boolean isolates() {
    return true;
  }
}
