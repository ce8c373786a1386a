package dev.floe.distributed;

import static dev.floe.testing.PolarsCloudStandIn.calls;
import static dev.floe.testing.Workloads.distributedQuery;
import static dev.floe.testing.Workloads.post;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.floe.testing.ArrowClient;
import dev.floe.testing.HostileFixtures;
import dev.floe.testing.PolarsCloudStandIn;
import dev.floe.testing.TempLake;
import dev.floe.testing.Workloads;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Distributed runs end to end: the real service, sandbox and dispatcher, with the stand-in Polars
 * Cloud client on the dispatcher's path (its calls recorded, the plan executed locally).
 */
@QuarkusTest
@QuarkusTestResource(TempLake.class)
@QuarkusTestResource(value = PolarsCloudStandIn.class, restrictToAnnotatedClass = true)
class DistributedRunsTest {
  private static final String RUNS = "/api/v1/warehouse/polars/runs";
  private static final String AVERAGES =
      "SELECT species, avg(petal_length) AS petal FROM flowers GROUP BY species ORDER BY species";

  @AfterEach
  void normalCluster() {
    PolarsCloudStandIn.behaveNormally();
  }

  private static Map<String, Object> distributedScript(String script) {
    Map<String, Object> body = new HashMap<>();
    body.put("mode", "script");
    body.put("script", script);
    body.put("distributed", true);
    return body;
  }

  /**
   * Posts what the run must refuse as not distributable, and checks nothing reached the cluster.
   */
  private static ValidatableResponse refusedPlan(Map<String, Object> body) {
    int sent = calls("ExecuteRemote.execute").size();
    ValidatableResponse refused =
        post(body).statusCode(422).body("error_code", equalTo("PLAN_NOT_DISTRIBUTABLE"));
    assertEquals(sent, calls("ExecuteRemote.execute").size(), "the plan reached the cluster");
    return refused;
  }

  /** Submits an async run and waits until its query reached the (stand-in) cluster. */
  private static String submittedToTheCluster(Map<String, Object> body)
      throws InterruptedException {
    int submitted = calls("ExecuteRemote.execute").size();
    String runId =
        given()
            .contentType(ContentType.JSON)
            .body(body)
            .post(RUNS)
            .then()
            .statusCode(202)
            .extract()
            .path("run_id");
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (calls("ExecuteRemote.execute").size() == submitted && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    assertTrue(calls("ExecuteRemote.execute").size() > submitted, "the query never reached it");
    return runId;
  }

  private static JsonNode lastCall(String call) {
    List<JsonNode> found = calls(call);
    assertFalse(found.isEmpty(), "no " + call + " in " + calls());
    return found.get(found.size() - 1);
  }

  @Test
  void aQueryRunsOnTheClusterWithTheRequestsComputeAndTheSameRowsAsLocally() {
    Map<String, Object> body = distributedQuery(AVERAGES);
    body.put("instanceType", "t4g.large");
    body.put("clusterSize", 3);
    body.put("vcpus", 4);
    List<Object> local =
        Workloads.query(AVERAGES, Workloads.FLOWERS).statusCode(200).extract().path("results.rows");

    var answer =
        post(body)
            .statusCode(200)
            .body("success", equalTo(true))
            .body("compute.mode", equalTo("distributed"))
            .body("compute.distributed", equalTo(true))
            .body("compute.instanceType", equalTo("t4g.large"))
            .body("compute.clusterSize", equalTo(3))
            .body("compute.target", equalTo("cloud"))
            .body("compute.queryId", matchesPattern("[0-9a-f-]{36}"))
            .body("logs", containsString("[floe] sent to the distributed engine as query"))
            .extract();

    assertEquals(local, answer.path("results.rows"));
    JsonNode auth = lastCall("authenticate").path("args");
    assertEquals(PolarsCloudStandIn.CLIENT_ID, auth.path("client_id").asText());
    assertEquals(
        PolarsCloudStandIn.sha256(PolarsCloudStandIn.CANARY),
        auth.path("client_secret_sha256").asText());
    assertFalse(auth.path("interactive").asBoolean());
    JsonNode context = lastCall("ComputeContext.__init__").path("args");
    assertEquals(PolarsCloudStandIn.WORKSPACE, context.path("workspace").asText());
    assertEquals("t4g.large", context.path("instance_type").asText());
    assertEquals(3, context.path("cluster_size").asInt());
    assertEquals(4, context.path("cpus").asInt());
    JsonNode execute = lastCall("ExecuteRemote.execute");
    assertEquals("distributed", execute.path("scaling").asText());
    assertFalse(execute.path("args").path("blocking").asBoolean());
    assertEquals(answer.path("compute.queryId"), execute.path("query_id").asText());
    // The compute this run started is stopped after it.
    assertFalse(calls("ComputeContext.stop").isEmpty());
  }

  @Test
  void theServersDefaultInstanceTypeIsUsedWhenTheRequestNamesNone() {
    post(distributedQuery(AVERAGES))
        .statusCode(200)
        .body("compute.instanceType", equalTo("t4g.medium"))
        .body("compute.clusterSize", nullValue());
    assertEquals(
        "t4g.medium",
        lastCall("ComputeContext.__init__").path("args").path("instance_type").asText());
  }

  @Test
  void anArrowStreamComesBackFromTheCluster() {
    ArrowClient.Answer answer =
        ArrowClient.post(Workloads.PATH, distributedQuery("SELECT * FROM flowers"));

    assertEquals(200, answer.status());
    assertTrue(answer.complete());
    assertEquals(150, answer.rows());
    assertEquals("distributed", lastCall("ExecuteRemote.execute").path("scaling").asText());
  }

  @Test
  void aSaveIsCommittedByFloeFromTheClustersResult() {
    String table = "dist_" + UUID.randomUUID().toString().replace("-", "").substring(0, 8) + ".avg";
    Map<String, Object> body = distributedQuery(AVERAGES);
    body.put("destination", table);

    post(body)
        .statusCode(200)
        .body("saved.table", equalTo(table))
        .body("saved.rows_written", equalTo(3))
        .body("compute.distributed", equalTo(true));

    assertEquals(3, Workloads.rowCount(table));
  }

  @Test
  void aScriptsLazyPlanRunsDistributedWithItsParams() {
    String script =
        "result = (scan('default.flowers')\n"
            + "    .filter(pl.col('petal_length') > params['min'])\n"
            + "    .group_by('species').agg(pl.len().alias('n')).sort('species'))\n";
    List<Object> local =
        Workloads.script(script, Map.of("min", 5)).statusCode(200).extract().path("results.rows");
    Map<String, Object> body = distributedScript(script);
    body.put("params", Map.of("min", 5));
    List<Object> distributed =
        post(body)
            .statusCode(200)
            .body("compute.distributed", equalTo(true))
            .extract()
            .path("results.rows");
    assertEquals(local, distributed);
    assertEquals(2, local.size());
  }

  @Test
  void aPythonFunctionIsRefusedWithItsLineAndNothingIsSent() {
    refusedPlan(
            distributedScript(
                "def double(v):\n"
                    + "    return v * 2\n"
                    + "result = scan('default.flowers').with_columns(\n"
                    + "    pl.col('petal_length').map_elements(double, return_dtype=pl.Float64))\n"))
        .body("error", startsWith("A distributed run cannot send Python code to the cluster"))
        .body("diagnostics.line", equalTo(1));
  }

  @Test
  void aPlanForgedInsideTheSandboxWithPickledCodeIsRefusedByTheDispatcher() {
    // The script swaps Floe's refusing cloudpickle for real pickling: the plan leaves the
    // sandbox with a pickled function in it, and the dispatcher must not let it through.
    refusedPlan(
            distributedScript(
                "import pickle, sys, types\n"
                    + "fake = types.ModuleType('cloudpickle')\n"
                    + "fake.dumps = lambda obj, *a, **k: pickle.dumps(len)\n"
                    + "fake.loads = pickle.loads\n"
                    + "sys.modules['cloudpickle'] = fake\n"
                    + "def bump(s):\n"
                    + "    return s + 1\n"
                    + "result = pl.LazyFrame({'x': [1]}).with_columns(\n"
                    + "    pl.col('x').map_batches(bump, return_dtype=pl.Int64))\n"))
        .body("error", startsWith("The plan holds "));
  }

  @Test
  void aTableNotGrantedCannotBeSmuggledIntoThePlan() {
    refusedPlan(
            distributedScript(
                "result = pl.scan_parquet('/etc/hostname.parquet', schema={'x': pl.Int64}, glob=False)"))
        .body("error", containsString("reads files or data sources directly"));
  }

  @Test
  void aFailureOnTheClusterIsTheQuerysError() {
    PolarsCloudStandIn.behave(Map.of("fail", "worker 3 ran out of disk"));

    post(distributedQuery(AVERAGES))
        .statusCode(422)
        .body("error_code", equalTo("QUERY_ERROR"))
        .body("error", startsWith("The distributed query failed on the cluster ("))
        .body("error", containsString("worker 3 ran out of disk"));
  }

  @Test
  void cancellingAnAsyncRunCancelsTheRemoteQueryAndSavesNothing() throws Exception {
    PolarsCloudStandIn.behave(Map.of("delay_seconds", 60));
    String table = "dist_" + UUID.randomUUID().toString().replace("-", "").substring(0, 8) + ".c";
    Map<String, Object> body = distributedQuery(AVERAGES);
    body.put("destination", table);
    String runId = submittedToTheCluster(body);
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    String queryId = lastCall("ExecuteRemote.execute").path("query_id").asText();

    given().delete(RUNS + "/" + runId).then().statusCode(200);

    String status = "running";
    while (!status.equals("cancelled") && System.nanoTime() < deadline) {
      Thread.sleep(100);
      status = given().get(RUNS + "/" + runId).then().extract().path("status");
    }
    assertEquals("cancelled", status);
    assertTrue(
        calls().stream()
            .anyMatch(
                c ->
                    c.path("call").asText().endsWith("Query.cancel")
                        && queryId.equals(c.path("query_id").asText())),
        "the remote query " + queryId + " was not cancelled: " + calls());
    given()
        .get("/api/v1/catalogs/lake/namespaces/" + table.split("\\.")[0] + "/tables")
        .then()
        .statusCode(404);
  }

  @Test
  void anIdempotencyKeyRunsTheDistributedQueryOnce() {
    int before = calls("ExecuteRemote.execute").size();
    Map<String, String> key = Map.of("Idempotency-Key", UUID.randomUUID().toString());
    String first =
        Workloads.post(distributedQuery(AVERAGES), key).statusCode(200).extract().path("run_id");
    String second =
        Workloads.post(distributedQuery(AVERAGES), key).statusCode(200).extract().path("run_id");

    assertEquals(first, second);
    assertEquals(before + 1, calls("ExecuteRemote.execute").size());
  }

  @Test
  void autoGoesDistributedAboveTheThresholdAndSaysWhy() {
    Map<String, Object> body = distributedQuery(AVERAGES);
    body.put("distributed", "auto");

    post(body)
        .statusCode(200)
        .body("compute.distributed", equalTo(true))
        .body("compute.reason", startsWith("auto: the bound tables hold "))
        .body("compute.reason", containsString("above the threshold of 1000 bytes"));
  }

  @Test
  void autoRunsLocallyWhenTheBoundTablesAreSmall() {
    int before = calls("ExecuteRemote.execute").size();
    Map<String, Object> body = distributedScript("result = pl.DataFrame({'x': [1, 2]})");
    body.put("distributed", "auto");

    post(body)
        .statusCode(200)
        .body("compute.mode", equalTo("local"))
        .body("compute.reason", containsString("0 bytes, within the threshold"));
    assertEquals(before, calls("ExecuteRemote.execute").size());
  }

  @Test
  void whatARequestMayAskIsCheckedBeforeItRuns() {
    Map<String, Object> type = distributedQuery(AVERAGES);
    type.put("instanceType", "p5.48xlarge");
    post(type)
        .statusCode(400)
        .body("error_code", equalTo("INVALID_REQUEST"))
        .body("error", containsString("this server allows t4g.medium, t4g.large"));

    Map<String, Object> size = distributedQuery(AVERAGES);
    size.put("clusterSize", 5);
    post(size)
        .statusCode(400)
        .body("error", containsString("clusterSize = 5: this server's cap is 4"));

    Map<String, Object> local = distributedQuery(AVERAGES);
    local.put("distributed", false);
    local.put("clusterSize", 2);
    post(local)
        .statusCode(400)
        .body("error", startsWith("Cannot use clusterSize without distributed"));

    Map<String, Object> odd = distributedQuery(AVERAGES);
    odd.put("distributed", "sometimes");
    post(odd).statusCode(400).body("error", containsString("true, false or \"auto\""));
  }

  @Test
  void theClientSecretIsNowhereARunCanLook() throws Exception {
    // A distributed run holds the secret in its dispatcher while this hunt runs in a sandbox.
    PolarsCloudStandIn.behave(Map.of("delay_seconds", 30));
    String holder = submittedToTheCluster(distributedQuery(AVERAGES));
    PolarsCloudStandIn.behaveNormally();

    String control = "FLOECANARY-control-" + UUID.randomUUID();
    Map<String, Object> hunt =
        distributedScript(HostileFixtures.fixture("25_distributed_secret.py"));
    hunt.put(
        "params",
        Map.of(
            "control", control,
            "secret_file", PolarsCloudStandIn.secretFile().toString(),
            "home", TempLake.home().toString()));
    var answer = post(hunt).statusCode(200).body("compute.distributed", equalTo(true)).extract();

    List<String> columns = answer.jsonPath().getList("results.columns");
    assertEquals(List.of("place", "status", "hits"), columns);
    List<List<Object>> places = answer.path("results.rows");
    List<String> found =
        places.stream()
            .filter(r -> !((List<?>) r.get(2)).isEmpty())
            .map(r -> r.get(0) + ": " + r.get(2))
            .toList();
    // The control planted in the run's own /tmp is found, and nothing else is.
    assertEquals(1, found.size(), "found: " + found);
    assertTrue(found.get(0).startsWith("/tmp/control.txt"), "found: " + found);
    // The tree search found the control; the process search looked at every process it sees.
    assertTrue(
        places.stream().anyMatch(r -> "/proc/1/environ".equals(r.get(0))),
        "the hunt never looked at the processes: " + places);
    String secretStatus =
        places.stream()
            .filter(r -> PolarsCloudStandIn.secretFile().toString().equals(r.get(0)))
            .map(r -> (String) r.get(1))
            .findFirst()
            .orElseThrow();
    assertFalse(secretStatus.equals("read"), "the secret file was readable");
    given().delete(RUNS + "/" + holder).then().statusCode(200);
  }
}
