package dev.floe;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.floe.testing.TempLake;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The committed spec (openapi/floe.yaml, what clients are generated from) is exactly what the
 * service serves. Compared as parsed trees: key order and quoting do not matter, content does.
 */
@QuarkusTest
@QuarkusTestResource(TempLake.class)
class OpenApiSpecTest {
  static final String REGENERATE = "bin/update-openapi";
  private static final int MAX_LISTED = 20;

  @Test
  void servedSpecEqualsTheCommittedOne() throws Exception {
    ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
    JsonNode served =
        yaml.readTree(given().get("/q/openapi").then().statusCode(200).extract().asString());
    JsonNode committed = yaml.readTree(Path.of("openapi/floe.yaml").toFile());
    List<String> differences = new ArrayList<>();
    diff("", committed, served, differences);
    assertTrue(
        differences.isEmpty(),
        () ->
            "openapi/floe.yaml is not the spec the service serves at /q/openapi. Regenerate it with `"
                + REGENERATE
                + "` and commit it. Differences (committed vs served):\n  "
                + String.join("\n  ", differences));
  }

  @Test
  void swaggerUi() {
    given().get("/q/swagger-ui/").then().statusCode(200);
  }

  /** JSON pointers where the two trees differ, at most MAX_LISTED (then "..."). */
  private static void diff(String at, JsonNode committed, JsonNode served, List<String> out) {
    if (out.size() > MAX_LISTED || committed.equals(served)) {
      return;
    }
    if (committed.isObject() && served.isObject()) {
      TreeSet<String> keys = new TreeSet<>();
      committed.fieldNames().forEachRemaining(keys::add);
      served.fieldNames().forEachRemaining(keys::add);
      for (Iterator<String> it = keys.iterator(); it.hasNext(); ) {
        String key = it.next();
        String path = at + "/" + key.replace("~", "~0").replace("/", "~1");
        if (!committed.has(key)) {
          add(out, path + ": only served");
        } else if (!served.has(key)) {
          add(out, path + ": only committed");
        } else {
          diff(path, committed.get(key), served.get(key), out);
        }
      }
    } else if (committed.isArray() && served.isArray() && committed.size() == served.size()) {
      for (int i = 0; i < committed.size(); i++) {
        diff(at + "/" + i, committed.get(i), served.get(i), out);
      }
    } else {
      add(out, (at.isEmpty() ? "/" : at) + ": " + cut(committed) + " vs " + cut(served));
    }
  }

  private static String cut(JsonNode node) {
    String text = node.toString();
    return text.length() <= 120 ? text : text.substring(0, 117) + "...";
  }

  private static void add(List<String> out, String difference) {
    out.add(out.size() < MAX_LISTED ? difference : "...");
  }
}
