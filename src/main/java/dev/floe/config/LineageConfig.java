package dev.floe.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.PositiveOrZero;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/** Where the OpenLineage run events of every run go. */
@ConfigMapping(prefix = "floe.lineage")
public interface LineageConfig {
  /** How events are sent. */
  enum Transport {
    /** One JSON event per line, appended to {@link #file()}. */
    FILE,
    /** POSTed to {@link #url()} (a Marquez-compatible receiver). */
    HTTP,
    /** Printed to the service log. */
    CONSOLE,
    /** Not emitted. */
    OFF
  }

  @WithDefault("file")
  Transport transport();

  /** The receiver's base URL, for {@code transport=http} (Marquez: {@code http://marquez:5000}). */
  Optional<URI> url();

  /** The receiver's path under {@link #url()}. */
  @WithDefault("/api/v1/lineage")
  String endpoint();

  /** A bearer token for the receiver; best given as {@code FLOE_LINEAGE_API_KEY}. Never logged. */
  Optional<String> apiKey();

  /** How long one HTTP send may take. */
  @WithDefault("PT5S")
  Duration timeout();

  /**
   * The events file, for {@code transport=file}. Default: {@code <floe.home>/lineage/events.jsonl}.
   */
  Optional<String> file();

  /**
   * The events file's largest size, in MiB: past it, the file is renamed {@code <file>.1} (older
   * ones shifted up to {@link #fileKeep()}) and a new one begun.
   */
  @WithDefault("64")
  @WithName("file-max-mb")
  @Positive
  long fileMaxMb();

  /** How many earlier events files are kept beside the current one (the oldest is dropped). */
  @WithDefault("4")
  @WithName("file-keep")
  @PositiveOrZero
  int fileKeep();

  /** The OpenLineage namespace of Floe's jobs. */
  @WithDefault("floe")
  String namespace();

  /** Events waiting to be sent beyond this are dropped (and counted in the log). */
  @WithDefault("10000")
  int queue();
}
