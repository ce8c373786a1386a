package dev.floe.catalog.trusted;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;

/** What the trusted writer answers; {@code kind} names the answer on the wire. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "kind")
@JsonSubTypes({
  @JsonSubTypes.Type(value = TrustedAnswer.Ready.class, name = "ready"),
  @JsonSubTypes.Type(value = TrustedAnswer.Saved.class, name = "saved"),
  @JsonSubTypes.Type(value = TrustedAnswer.Refused.class, name = "refused"),
  @JsonSubTypes.Type(value = TrustedAnswer.Seeded.class, name = "seeded"),
  @JsonSubTypes.Type(value = TrustedAnswer.NotLanded.class, name = "not_landed"),
  @JsonSubTypes.Type(value = TrustedAnswer.Failed.class, name = "failed"),
  @JsonSubTypes.Type(value = TrustedAnswer.WouldSave.class, name = "would_save")
})
public sealed interface TrustedAnswer {

  /** The writer's first frame: its imports are done and it waits for requests. */
  record Ready(int protocol, long pid) implements TrustedAnswer {
    public Ready {
      Contract.check(protocol >= 1, "ready.protocol must be at least 1");
      Contract.check(pid >= 1, "ready.pid must be at least 1");
    }
  }

  /** A commit that landed; {@code attempts} 0 means found by find_landed, not committed now. */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  record Saved(
      String table,
      long rowsWritten,
      SaveMode mode,
      String snapshotId,
      boolean created,
      int attempts)
      implements TrustedAnswer {
    public Saved {
      Contract.identifier(table, "saved.table");
      Contract.check(rowsWritten >= 0, "saved.rows_written must be at least 0");
      Contract.present(mode, "saved.mode");
      Contract.snapshotId(snapshotId, "saved.snapshot_id");
      Contract.check(
          attempts >= 0 && attempts <= Contract.MAX_ATTEMPTS_CAP,
          "saved.attempts must be in [0, " + Contract.MAX_ATTEMPTS_CAP + "]");
    }
  }

  /** Codes of a refused save; CONFLICT becomes the service's COMMIT_CONFLICT. */
  enum RefusalCode {
    SCHEMA_MISMATCH,
    NAMESPACE_NOT_FOUND,
    CONFLICT
  }

  enum Problem {
    @JsonProperty("missing")
    MISSING,
    @JsonProperty("extra")
    EXTRA,
    @JsonProperty("type")
    TYPE
  }

  /** One column where the result and the table disagree; the types are null where n/a. */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  record Difference(String column, Problem problem, String tableType, String resultType) {
    public Difference {
      Contract.present(column, "difference.column");
      Contract.present(problem, "difference.problem");
    }
  }

  /** A save refused for a reason the caller can fix; nothing was committed. */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  record Refused(RefusalCode errorCode, String message, List<Difference> differences)
      implements TrustedAnswer {
    public Refused {
      Contract.present(errorCode, "refused.error_code");
      Contract.nonEmpty(message, "refused.message");
      Contract.present(differences, "refused.differences");
      differences = List.copyOf(differences);
    }
  }

  /** A table column: its name and its Iceberg type. */
  record Column(String name, String type) {
    public Column {
      Contract.present(name, "column.name");
      Contract.nonEmpty(type, "column.type");
    }
  }

  /**
   * check_save: the save would pass. {@code columns} is the table's schema after it (a new one's
   * when {@code createsTable}); {@code differences}, how the result differs from the table now.
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  record WouldSave(
      String table, boolean createsTable, List<Column> columns, List<Difference> differences)
      implements TrustedAnswer {
    public WouldSave {
      Contract.identifier(table, "would_save.table");
      Contract.present(columns, "would_save.columns");
      Contract.present(differences, "would_save.differences");
      columns = List.copyOf(columns);
      differences = List.copyOf(differences);
    }
  }

  record Seeded(boolean created, long rows) implements TrustedAnswer {
    public Seeded {
      Contract.check(rows >= 0, "seeded.rows must be at least 0");
    }
  }

  /** find_landed: no snapshot of the table carries the token. */
  record NotLanded() implements TrustedAnswer {}

  /** The request failed inside the writer; nothing was committed. For the log, not for users. */
  record Failed(String error) implements TrustedAnswer {
    public Failed {
      Contract.nonEmpty(error, "failed.error");
    }
  }
}
