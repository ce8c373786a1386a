package dev.floe.catalog;

import dev.floe.sandbox.SimulatedPods;
import dev.floe.testing.RestLake;
import dev.floe.testing.TempLake;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;

/**
 * The catalog contract on a REST catalog whose warehouse is on S3 (moto), every run in a run pod
 * (fabric8's mock server, pods simulated from their specs): a pod reads object-store tables through
 * the same table access as a local runner (the service fetches the granted snapshot's objects with
 * its credentials, and the pod gets their copies over its hand-over channel; it holds no credential
 * and reaches no object store), and its saves are committed by the trusted writer.
 */
@QuarkusTest
@QuarkusTestResource(TempLake.class)
@QuarkusTestResource(value = RestLake.class, restrictToAnnotatedClass = true)
@WithKubernetesTestServer(crud = true, setup = SimulatedPods.Kubelet.class)
@TestProfile(RestCatalogOnPodsTest.Pods.class)
class RestCatalogOnPodsTest extends CatalogContractTest {
  /** Run pods, with the hand-over endpoint on loopback. */
  public static class Pods implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return SimulatedPods.settings(Map.of());
    }
  }

  @AfterAll
  static void stopKubelet() {
    SimulatedPods.Kubelet.stop();
  }

  @Override
  protected String catalog() {
    return RestLake.CATALOG;
  }
}
