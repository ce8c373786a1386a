package dev.floe.distributed;

import static dev.floe.testing.PolarsCloudStandIn.calls;
import static dev.floe.testing.Workloads.distributedQuery;
import static dev.floe.testing.Workloads.post;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.floe.testing.PolarsCloudStandIn;
import dev.floe.testing.TempLake;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Polars Cloud with a registered compute: a request that sizes nothing runs on it (and it keeps
 * running); one that names an instance type gets a compute of its own, stopped after the run.
 */
@QuarkusTest
@QuarkusTestResource(TempLake.class)
@QuarkusTestResource(
    value = PolarsCloudStandIn.class,
    restrictToAnnotatedClass = true,
    initArgs = @ResourceArg(name = "compute-name", value = "floe-shared"))
class DistributedRegisteredComputeTest {
  private static final String SQL = "SELECT count(*) AS n FROM flowers";

  private static JsonNode lastContext() {
    List<JsonNode> contexts = calls("ComputeContext.__init__");
    return contexts.get(contexts.size() - 1).path("args");
  }

  @Test
  void aRequestThatSizesNothingRunsOnTheRegisteredComputeAndLeavesItRunning() {
    int stops = calls("ComputeContext.stop").size();

    post(distributedQuery(SQL)).statusCode(200).body("results.rows[0][0]", equalTo(150));

    JsonNode context = lastContext();
    assertEquals("floe-shared", context.path("name").asText());
    assertEquals(PolarsCloudStandIn.WORKSPACE, context.path("workspace").asText());
    assertTrue(context.path("instance_type").isNull(), context.toString());
    assertEquals(stops, calls("ComputeContext.stop").size(), "the registered compute was stopped");
  }

  @Test
  void aRequestThatNamesAnInstanceTypeGetsAComputeOfItsOwnStoppedAfter() {
    int stops = calls("ComputeContext.stop").size();
    Map<String, Object> body = distributedQuery(SQL);
    body.put("instanceType", "t4g.large");

    post(body).statusCode(200).body("compute.instanceType", equalTo("t4g.large"));

    JsonNode context = lastContext();
    assertTrue(context.path("name").isNull(), context.toString());
    assertEquals("t4g.large", context.path("instance_type").asText());
    assertEquals(stops + 1, calls("ComputeContext.stop").size());
  }
}
