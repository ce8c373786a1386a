package dev.floe;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.floe.testing.TempLake;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The committed spec (what clients are generated from) is exactly what the service serves. */
@QuarkusTest
@QuarkusTestResource(TempLake.class)
class OpenApiSpecTest {

  @Test
  void servedSpecEqualsTheCommittedOne() throws Exception {
    ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
    JsonNode served =
        yaml.readTree(given().get("/q/openapi").then().statusCode(200).extract().asString());
    JsonNode committed = yaml.readTree(Path.of("openapi/floe.yaml").toFile());
    assertEquals(
        committed,
        served,
        "openapi/floe.yaml differs from the served spec; regenerate it with bin/update-openapi and"
            + " commit it");
  }

  @Test
  void swaggerUi() {
    given().get("/q/swagger-ui/").then().statusCode(200);
  }
}
