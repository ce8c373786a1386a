package dev.floe.testing;

import static io.restassured.RestAssured.given;

import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Keys and grants made through the admin API, and requests sent with a key of one's own. */
public final class Callers {
  private Callers() {}

  /** A key made for a test: its secret, and whom it names. */
  public record Key(String name, String principal, String secret) {
    public String authorization() {
      return "Bearer " + secret;
    }

    /** A RestAssured request that sends this key instead of the admin's. */
    public RequestSpecification given() {
      return io.restassured.RestAssured.given().header("Authorization", authorization());
    }
  }

  /** A new key for {@code principal} in {@code groups}, under a name no other test uses. */
  public static Key key(String principal, String... groups) {
    return key(principal, null, groups);
  }

  /** As {@link #key(String, String...)}, expiring after {@code seconds} unless it is null. */
  public static Key key(String principal, Long seconds, String... groups) {
    String name = principal + "-" + UUID.randomUUID().toString().substring(0, 8);
    Map<String, Object> body = new HashMap<>();
    body.put("name", name);
    body.put("principal", principal);
    body.put("groups", List.of(groups));
    if (seconds != null) {
      body.put("expiresInSeconds", seconds);
    }
    String secret =
        given()
            .contentType(ContentType.JSON)
            .body(body)
            .post("/api/v1/admin/keys")
            .then()
            .statusCode(201)
            .extract()
            .path("key");
    return new Key(name, principal, secret);
  }

  /** Grants {@code privilege} (read or write) on {@code scope} to a principal or a group. */
  public static void grant(String subject, String privilege, String scope) {
    given()
        .contentType(ContentType.JSON)
        .body(Map.of("subject", subject, "privilege", privilege, "scope", scope))
        .post("/api/v1/admin/grants")
        .then()
        .statusCode(
            org.hamcrest.Matchers.anyOf(
                org.hamcrest.Matchers.is(200), org.hamcrest.Matchers.is(201)));
  }

  public static void revoke(Key key) {
    given().delete("/api/v1/admin/keys/" + key.name()).then().statusCode(200);
  }
}
