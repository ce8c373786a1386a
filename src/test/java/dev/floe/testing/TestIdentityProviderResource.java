package dev.floe.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * A {@link TestIdentityProvider} for a {@code @QuarkusTest}: started before Quarkus, its issuer and
 * audience handed to the service's OIDC settings; the test mints tokens through {@link
 * #identityProvider()}.
 *
 * <pre>{@code
 * @QuarkusTest
 * @QuarkusTestResource(value = TestIdentityProviderResource.class, restrictToAnnotatedClass = true)
 * class BearerJwtTest {
 *   String token = TestIdentityProviderResource.identityProvider().token("alice", List.of(), ...);
 * }
 * }</pre>
 */
public class TestIdentityProviderResource implements QuarkusTestResourceLifecycleManager {
  private static volatile TestIdentityProvider current;

  /** The running identity provider (between {@link #start()} and {@link #stop()}). */
  public static TestIdentityProvider identityProvider() {
    TestIdentityProvider idp = current;
    if (idp == null) {
      throw new IllegalStateException("TestIdentityProviderResource has not been started");
    }
    return idp;
  }

  @Override
  public Map<String, String> start() {
    TestIdentityProvider idp = new TestIdentityProvider().start();
    current = idp;
    return Map.of(
        "floe.auth.oidc.issuer", idp.issuer(),
        "floe.auth.oidc.audience", idp.audience());
  }

  @Override
  public void stop() {
    TestIdentityProvider idp = current;
    current = null;
    if (idp != null) {
      idp.stop();
    }
  }
}
