package dev.floe.api;

import dev.floe.testing.TempLake;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** The hostile workloads on runners taken from the warm pool (started before their runs). */
@QuarkusTest
@QuarkusTestResource(TempLake.class)
@TestProfile(HostileWorkloadsWarmTest.Warm.class)
class HostileWorkloadsWarmTest extends HostileWorkloadsTest {
  public static class Warm extends Hostile {
    @Override
    int warm() {
      return 2;
    }
  }
}
