package dev.floe.api;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.floe.testing.TempLake;
import dev.floe.testing.Workloads;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code "profile": true} over the real HTTP stack: the answer and the run's record carry each plan
 * node of the streaming engine with its time and rows, and the result is the same as unprofiled.
 */
@QuarkusTest
@QuarkusTestResource(TempLake.class)
class ProfileTest {
  private static final String QUERY =
      "SELECT species, COUNT(*) AS n FROM flowers WHERE petal_length > 1.5 GROUP BY species";

  @Test
  void aProfiledQueryHasItsNodesTimesAndRowsInTheAnswerAndTheRecord() {
    JsonPath answer =
        Workloads.post(
                Map.of(
                    "mode", "query", "query", QUERY, "tables", Workloads.FLOWERS, "profile", true))
            .statusCode(200)
            .extract()
            .jsonPath();
    assertEquals(3, answer.getInt("row_count"));
    List<Map<String, Object>> nodes = answer.getList("profile.nodes");
    assertFalse(nodes.isEmpty(), answer.prettify());
    assertTrue(answer.getDouble("profile.total_ms") > 0);
    // The scan sends on the 113 rows its pushed-down filter keeps; 3 groups leave the group-by.
    assertTrue(
        nodes.stream()
            .anyMatch(
                n ->
                    n.get("node").toString().contains("scan")
                        && ((Number) n.get("rows_out")).longValue() == 113),
        nodes.toString());
    assertTrue(
        nodes.stream()
            .anyMatch(
                n ->
                    n.get("node").equals("group-by")
                        && ((Number) n.get("rows_out")).longValue() == 3),
        nodes.toString());
    assertTrue(nodes.stream().allMatch(n -> ((Number) n.get("time_ms")).doubleValue() >= 0));

    JsonPath run =
        given()
            .get(Workloads.PATH + "/runs/" + answer.getString("run_id"))
            .then()
            .statusCode(200)
            .extract()
            .jsonPath();
    // The same nodes (JsonPath reads the two answers' numbers as different Number types).
    assertEquals(nodes.toString(), run.getList("profile.nodes").toString());

    JsonPath plain = Workloads.query(QUERY, Workloads.FLOWERS).statusCode(200).extract().jsonPath();
    assertEquals(answer.getList("results.rows"), plain.getList("results.rows"));
    assertFalse(plain.getMap("$").containsKey("profile"), "no profile unless asked");
  }
}
