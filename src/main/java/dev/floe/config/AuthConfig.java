package dev.floe.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.Size;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Who may call Floe: Floe API keys and OIDC/JWT tokens, both as {@code Authorization: Bearer}. On
 * by default; the first start creates an admin key and writes it to {@link #adminKeyFile()}.
 */
@ConfigMapping(prefix = "floe.auth")
public interface AuthConfig {
  /**
   * False only for local experiments: every caller is then the admin, and the service refuses to
   * start unless it listens on loopback only.
   */
  @WithDefault("true")
  boolean enabled();

  /** Where the admin key is written at first start (mode 0600). Default: floe.home/admin.key. */
  Optional<String> adminKeyFile();

  /**
   * Principals whose API keys have every right: keys, grants, all runs, all tables. The first is
   * the admin key file's. (A token is admin only through {@link #adminGroups()}.)
   */
  @WithDefault("admin")
  @Size(min = 1)
  List<String> adminPrincipals();

  /** Groups whose members are admins (e.g. a group claim of the identity provider). */
  Optional<List<String>> adminGroups();

  /** How long audit entries are kept; older ones are removed by the run sweeper's schedule. */
  @WithDefault("P365D")
  Duration auditRetention();

  /** OIDC/JWT access tokens from the platform's identity provider; off without an issuer. */
  Oidc oidc();

  /** The identity provider whose tokens Floe accepts. */
  interface Oidc {
    /** The exact {@code iss} of accepted tokens; its discovery document names the keys. */
    Optional<String> issuer();

    /** Required in {@code aud} when set. */
    Optional<String> audience();

    /** The JWKS URL, when it is not the one the issuer's discovery document names. */
    Optional<String> jwksUrl();

    /** The claim that names the principal. */
    @WithDefault("sub")
    String principalClaim();

    /** The claim that lists the caller's groups (grants to a group apply to its members). */
    @WithDefault("groups")
    String groupsClaim();

    /** Clock skew tolerated on exp/nbf/iat. */
    @WithDefault("PT60S")
    Duration clockSkew();
  }
}
