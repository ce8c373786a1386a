package dev.floe.distributed;

import static dev.floe.testing.PolarsCloudStandIn.calls;
import static dev.floe.testing.Workloads.post;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.floe.testing.PolarsCloudStandIn;
import dev.floe.testing.TempLake;
import dev.floe.testing.Workloads;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Distributed runs on a Polars On-Prem cluster: its scheduler's address, no cloud account. */
@QuarkusTest
@QuarkusTestResource(TempLake.class)
@QuarkusTestResource(
    value = PolarsCloudStandIn.class,
    restrictToAnnotatedClass = true,
    initArgs = @ResourceArg(name = "target", value = "on-prem"))
class DistributedOnPremTest {

  @Test
  void aQueryGoesToTheClustersSchedulerWithClusterSizeAsItsWorkers() {
    Map<String, Object> body = Workloads.distributedQuery("SELECT count(*) AS n FROM flowers");
    body.put("clusterSize", 3);

    post(body)
        .statusCode(200)
        .body("results.rows[0][0]", equalTo(150))
        .body("compute.target", equalTo("on-prem"))
        .body("compute.clusterSize", equalTo(3))
        .body("compute.queryId", matchesPattern("[0-9a-f-]{36}"));

    List<JsonNode> contexts = calls("ClusterContext.__init__");
    assertEquals(
        PolarsCloudStandIn.ON_PREM_ADDRESS,
        contexts.get(contexts.size() - 1).path("args").path("uri").asText());
    List<JsonNode> distributed = calls("LazyFrameRemote.distributed");
    assertEquals(
        3, distributed.get(distributed.size() - 1).path("args").path("max_workers").asInt());
    assertTrue(calls("authenticate").isEmpty(), "no cloud account is used on-prem: " + calls());
    assertTrue(calls("ComputeContext.__init__").isEmpty());
  }

  @Test
  void anInstanceTypeIsRefusedForAClusterWhoseMachinesAreItsOwn() {
    Map<String, Object> body = Workloads.distributedQuery("SELECT 1 AS x FROM flowers");
    body.put("instanceType", "t4g.medium");

    post(body)
        .statusCode(400)
        .body("error_code", equalTo("INVALID_REQUEST"))
        .body("error", containsString("Polars On-Prem cluster, whose machines are its own"));
  }
}
