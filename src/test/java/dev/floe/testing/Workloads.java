package dev.floe.testing;

import static io.restassured.RestAssured.given;

import io.restassured.config.JsonConfig;
import io.restassured.config.RestAssuredConfig;
import io.restassured.http.ContentType;
import io.restassured.path.json.config.JsonPathConfig.NumberReturnType;
import io.restassured.response.ValidatableResponse;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Posts workloads to the real HTTP stack. */
public final class Workloads {
  public static final String PATH = "/api/v1/warehouse/polars";
  public static final List<String> FLOWERS = List.of("flowers=default.flowers");

  /** Decimals as doubles, so closeTo/equalTo compare what the JSON holds. */
  public static final RestAssuredConfig DOUBLES =
      RestAssuredConfig.config()
          .jsonConfig(JsonConfig.jsonConfig().numberReturnType(NumberReturnType.DOUBLE));

  private Workloads() {}

  public static ValidatableResponse post(Object body) {
    return given()
        .config(DOUBLES)
        .contentType(ContentType.JSON)
        .body(body)
        .when()
        .post(PATH)
        .then();
  }

  /** With request headers, such as an Idempotency-Key. */
  public static ValidatableResponse post(Object body, Map<String, String> headers) {
    return given()
        .config(DOUBLES)
        .headers(headers)
        .contentType(ContentType.JSON)
        .body(body)
        .when()
        .post(PATH)
        .then();
  }

  /**
   * A script run whose result is saved to {@code destination} (namespace.table); {@code saveMode}
   * null: the server's default. A body to add to.
   */
  public static Map<String, Object> saving(String source, String destination, String saveMode) {
    Map<String, Object> body = new HashMap<>();
    body.put("mode", "script");
    body.put("script", source);
    body.put("destination", destination);
    if (saveMode != null) {
      body.put("saveMode", saveMode);
    }
    return body;
  }

  /** A distributed query over the demo table, bound as {@code flowers}: a body to add to. */
  public static Map<String, Object> distributedQuery(String sql) {
    Map<String, Object> body = new HashMap<>();
    body.put("mode", "query");
    body.put("query", sql);
    body.put("tables", FLOWERS);
    body.put("distributed", true);
    return body;
  }

  public static ValidatableResponse query(String sql, List<?> tables) {
    return post(Map.of("mode", "query", "query", sql, "tables", tables));
  }

  public static ValidatableResponse script(String source) {
    return post(Map.of("mode", "script", "script", source));
  }

  public static ValidatableResponse script(String source, Map<String, Object> params) {
    return post(Map.of("mode", "script", "script", source, "params", params));
  }

  /** How many rows {@code table} (namespace.table) holds, read through a run as a user would. */
  public static long rowCount(String table) {
    return query("SELECT COUNT(*) AS n FROM t", List.of("t=" + table))
        .statusCode(200)
        .extract()
        .jsonPath()
        .getLong("results.rows[0][0]");
  }
}
