package dev.floe;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.floe.testing.PythonSuite;
import dev.floe.testing.TempLake;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The web console in a real browser: src/test/python/e2e_console drives Debian's chromium with
 * Playwright against this Floe (auth on, the test lake): the key prompt and a 401, the flowers
 * query from the editor, the table picker, a script with params, a syntax error at its line, a save
 * and its new snapshot, the explain tree and a save's verdict, a long run's logs growing and its
 * cancel, the run list updating itself, the downloads, and keyboard-only use. Each screen's
 * screenshot is written to target/console-screenshots/.
 */
@QuarkusTest
@QuarkusTestResource(TempLake.class)
class ConsoleTest {

  @TestHTTPResource("/")
  URL url;

  @Test
  void thePageIsNeverCachedAndItsHashedBundlesAlways() {
    String page =
        given()
            .get("/")
            .then()
            .statusCode(200)
            .header("Cache-Control", "no-cache")
            .header("Content-Security-Policy", containsString("script-src 'self';"))
            .header("Content-Security-Policy", containsString("connect-src 'self';"))
            .header("Content-Security-Policy", containsString("frame-ancestors 'none'"))
            .header("X-Content-Type-Options", "nosniff")
            .extract()
            .asString();
    Matcher script = Pattern.compile("src=\"(console-[A-Z0-9]+\\.js)\"").matcher(page);
    assertTrue(script.find(), page);
    given()
        .get("/" + script.group(1))
        .then()
        .statusCode(200)
        .header("Cache-Control", "public, max-age=31536000, immutable");
  }

  @Test
  void theConsoleWorksInABrowser() throws Exception {
    PythonSuite.run("e2e_console", url, 18);
  }
}
