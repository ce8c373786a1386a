package dev.floe.catalog.trusted;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.floe.testing.TempLake;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The trusted-writer contract against the shared vectors (src/test/resources/contract/trusted/),
 * which the Python side's tests/test_contract.py loads too: the records and the dataclasses accept
 * and refuse the same messages and write the same JSON.
 */
@QuarkusTest
@QuarkusTestResource(TempLake.class)
class TrustedContractTest {
  @Inject TrustedProtocol protocol;
  @Inject ObjectMapper json;

  static Stream<Path> valid() throws Exception {
    return vectors("valid");
  }

  static Stream<Path> invalid() throws Exception {
    return vectors("invalid");
  }

  private static Stream<Path> vectors(String kind) throws IOException, URISyntaxException {
    Path dir = Path.of(TrustedContractTest.class.getResource("/contract/trusted/" + kind).toURI());
    List<Path> files;
    try (Stream<Path> list = Files.list(dir)) {
      files = list.filter(p -> p.toString().endsWith(".json")).sorted().toList();
    }
    assertFalse(files.isEmpty(), "no " + kind + " vectors in " + dir);
    return files.stream();
  }

  private record Vector(String direction, JsonNode message) {}

  private Vector load(Path file) throws IOException {
    JsonNode vector = json.readTree(file.toFile());
    return new Vector(vector.get("direction").asText(), vector.get("message"));
  }

  private Object decode(Vector v, byte[] bytes) throws TrustedProtocol.ContractException {
    return v.direction().equals("request")
        ? protocol.decodeRequest(bytes)
        : protocol.decodeAnswer(bytes);
  }

  private byte[] encode(Object message) {
    return message instanceof TrustedRequest r
        ? protocol.encode(r)
        : protocol.encode((TrustedAnswer) message);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("valid")
  void aValidMessageRoundTripsToTheSameJsonAndValue(Path file) throws Exception {
    Vector v = load(file);

    Object parsed = decode(v, json.writeValueAsBytes(v.message()));
    byte[] written = encode(parsed);

    assertEquals(v.message(), json.readTree(written), "written back differently: " + file);
    assertEquals(parsed, decode(v, written));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalid")
  void anInvalidMessageIsRefused(Path file) throws Exception {
    Vector v = load(file);

    var refused =
        assertThrows(
            TrustedProtocol.ContractException.class,
            () -> decode(v, json.writeValueAsBytes(v.message())),
            "accepted: " + file);

    assertTrue(refused.getMessage().startsWith("Cannot read a trusted-writer " + v.direction()));
  }

  @Test
  void aRefusalNamesTheFieldAndTheRule() throws Exception {
    Vector v = load(vectorFile("invalid", "request-max-attempts-zero.json"));

    var refused =
        assertThrows(
            TrustedProtocol.ContractException.class,
            () -> protocol.decodeRequest(json.writeValueAsBytes(v.message())));

    assertTrue(
        refused.getMessage().contains("commit.max_attempts must be in [1, 100]"),
        refused.getMessage());
  }

  @Test
  void everyKindOfMessageHasAValidVector() throws Exception {
    Set<String> kinds = new TreeSet<>();
    for (Path file : valid().toList()) {
      kinds.add(load(file).message().get("kind").asText());
    }
    Set<String> listed = new TreeSet<>();
    json.readTree(contractFile("kinds.json").toFile()).forEach(kind -> listed.add(kind.asText()));
    assertEquals(listed, kinds);
  }

  @Test
  void catalogPropertiesNeverShowInLogs() {
    var access = new CatalogAccess("lake", Map.of("credential", "s3cr3t"));
    assertFalse(access.toString().contains("s3cr3t"), access.toString());
  }

  private static Path vectorFile(String kind, String name) throws URISyntaxException {
    return contractFile(kind + "/" + name);
  }

  private static Path contractFile(String name) throws URISyntaxException {
    return Path.of(TrustedContractTest.class.getResource("/contract/trusted/" + name).toURI());
  }
}
