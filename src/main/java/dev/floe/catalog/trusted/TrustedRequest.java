package dev.floe.catalog.trusted;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * What the service asks the trusted writer; {@code kind} names the request on the wire. The Python
 * side is {@code floe_trusted/contract.py}; the shared vectors under {@code
 * src/test/resources/contract/trusted/} keep the two equal.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "kind")
@JsonSubTypes({
  @JsonSubTypes.Type(value = TrustedRequest.Commit.class, name = "commit"),
  @JsonSubTypes.Type(value = TrustedRequest.Seed.class, name = "seed"),
  @JsonSubTypes.Type(value = TrustedRequest.FindLanded.class, name = "find_landed"),
  @JsonSubTypes.Type(value = TrustedRequest.CheckSave.class, name = "check_save")
})
public sealed interface TrustedRequest {
  CatalogAccess catalog();

  String identifier();

  /**
   * Save the Arrow stream file at {@code arrowPath} into {@code identifier} as one Iceberg commit.
   *
   * @param commitToken chosen by the service and written into the snapshot's summary, so a job sent
   *     again (its writer died) finds its own commit instead of committing twice
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  record Commit(
      CatalogAccess catalog,
      String identifier,
      String arrowPath,
      SaveMode mode,
      SchemaMode schemaMode,
      boolean createNamespaces,
      String commitToken,
      int maxAttempts)
      implements TrustedRequest {
    public Commit {
      Contract.present(catalog, "commit.catalog");
      Contract.identifier(identifier, "commit.identifier");
      Contract.absolutePath(arrowPath, "commit.arrow_path");
      Contract.present(mode, "commit.mode");
      Contract.present(schemaMode, "commit.schema_mode");
      Contract.token(commitToken, "commit.commit_token");
      Contract.check(
          maxAttempts >= 1 && maxAttempts <= Contract.MAX_ATTEMPTS_CAP,
          "commit.max_attempts must be in [1, " + Contract.MAX_ATTEMPTS_CAP + "]");
      Contract.check(
          schemaMode != SchemaMode.OVERWRITE || mode == SaveMode.OVERWRITE,
          "commit: schema_mode 'overwrite' needs mode 'overwrite'");
    }
  }

  /** Create {@code identifier} from the CSV file at {@code csvPath} unless it exists. */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  record Seed(CatalogAccess catalog, String identifier, String csvPath) implements TrustedRequest {
    public Seed {
      Contract.present(catalog, "seed.catalog");
      Contract.identifier(identifier, "seed.identifier");
      Contract.absolutePath(csvPath, "seed.csv_path");
    }
  }

  /** Whether the commit carrying {@code commitToken} landed (asked after a writer was lost). */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  record FindLanded(CatalogAccess catalog, String identifier, String commitToken)
      implements TrustedRequest {
    public FindLanded {
      Contract.present(catalog, "find_landed.catalog");
      Contract.identifier(identifier, "find_landed.identifier");
      Contract.token(commitToken, "find_landed.commit_token");
    }
  }

  /**
   * Whether saving the Arrow stream at {@code arrowPath} (a dry run's result schema, no rows) into
   * {@code identifier} would pass, by the same rules as a commit; nothing is written.
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  record CheckSave(
      CatalogAccess catalog,
      String identifier,
      String arrowPath,
      SaveMode mode,
      SchemaMode schemaMode,
      boolean createNamespaces)
      implements TrustedRequest {
    public CheckSave {
      Contract.present(catalog, "check_save.catalog");
      Contract.identifier(identifier, "check_save.identifier");
      Contract.absolutePath(arrowPath, "check_save.arrow_path");
      Contract.present(mode, "check_save.mode");
      Contract.present(schemaMode, "check_save.schema_mode");
      Contract.check(
          schemaMode != SchemaMode.OVERWRITE || mode == SaveMode.OVERWRITE,
          "check_save: schema_mode 'overwrite' needs mode 'overwrite'");
    }
  }
}
