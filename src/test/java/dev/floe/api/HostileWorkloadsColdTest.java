package dev.floe.api;

import dev.floe.testing.TempLake;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** The hostile workloads on runners started for each run (an empty warm pool: the cold path). */
@QuarkusTest
@QuarkusTestResource(TempLake.class)
@TestProfile(HostileWorkloadsColdTest.Cold.class)
class HostileWorkloadsColdTest extends HostileWorkloadsTest {
  public static class Cold extends Hostile {
    @Override
    int warm() {
      return 0;
    }
  }
}
