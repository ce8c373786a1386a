package dev.floe.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import dev.floe.config.SaveConfig;
import dev.floe.error.ErrorCode;
import dev.floe.error.FloeException;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * The trusted step that saves a finished run's result: it hands the result file to the trusted
 * PyIceberg writer, which holds the catalog's write access that user code never gets. It runs only
 * after the run succeeded, so a failed, timed-out or cancelled run commits nothing.
 */
@ApplicationScoped
public class IcebergCommitter {
  private static final Logger LOG = Logger.getLogger(IcebergCommitter.class);

  private final TrustedWriter writer;
  private final SaveConfig config;
  private final LakeLookup lookup;

  public IcebergCommitter(TrustedWriter writer, SaveConfig config, LakeLookup lookup) {
    this.writer = writer;
    this.config = config;
    this.lookup = lookup;
  }

  /**
   * @param mode overwrite or append; {@code schemaMode} strict, merge or overwrite
   */
  public SaveOutcome commit(
      CatalogHandle catalog,
      TableName table,
      Path arrowResult,
      String mode,
      String schemaMode,
      Path workDir) {
    if (catalog.writerProperties().isEmpty()) {
      throw new FloeException(
          ErrorCode.INVALID_REQUEST,
          "Cannot save to catalog '"
              + catalog.name()
              + "': it has no writer configured; set floe.catalogs."
              + catalog.name()
              + ".writer-properties, or save to another catalog.");
    }
    lookup.requireReadableIfExists(catalog, table);
    Map<String, Object> job = new LinkedHashMap<>();
    job.put("catalog", Map.of("name", catalog.name(), "properties", catalog.writerProperties()));
    job.put("identifier", table.toString());
    job.put("arrow_path", arrowResult.toString());
    job.put("mode", mode);
    job.put("schema_mode", schemaMode);
    job.put(
        "create_namespaces",
        config
            .createNamespaces()
            .orElse(catalog.type().equals("jdbc") && !catalog.readOnlyPaths().isEmpty()));
    JsonNode answer;
    try {
      answer = writer.run("commit", job, workDir);
    } catch (IOException e) {
      LOG.errorf("commit to %s failed: %s", table, e.getMessage());
      throw new FloeException(
          ErrorCode.INTERNAL,
          "Cannot save to '" + table + "': the commit failed inside Floe; the table is unchanged.");
    }
    if (answer.path("ok").asBoolean(false)) {
      return new SaveOutcome(
          table,
          answer.path("rows_written").asLong(),
          answer.path("mode").asText(mode),
          answer.path("snapshot_id").asText(null),
          answer.path("created").asBoolean(false));
    }
    String message = answer.path("message").asText("The save was refused.");
    String code = answer.path("error_code").asText("");
    ErrorCode errorCode =
        switch (code) {
          case "SCHEMA_MISMATCH" -> ErrorCode.SCHEMA_MISMATCH;
          case "NAMESPACE_NOT_FOUND" -> ErrorCode.NAMESPACE_NOT_FOUND;
          case "CONFLICT" -> ErrorCode.COMMIT_CONFLICT;
          default -> ErrorCode.INTERNAL;
        };
    JsonNode differences = answer.get("differences");
    return throwRefusal(errorCode, message, differences);
  }

  private static SaveOutcome throwRefusal(ErrorCode code, String message, JsonNode differences) {
    String details = null;
    if (differences != null && differences.isArray() && !differences.isEmpty()) {
      StringBuilder sb = new StringBuilder();
      for (JsonNode d : differences) {
        sb.append(d.path("column").asText())
            .append(": ")
            .append(d.path("problem").asText())
            .append(
                d.hasNonNull("table_type") ? " (table " + d.get("table_type").asText() + ")" : "")
            .append(
                d.hasNonNull("result_type")
                    ? " (result " + d.get("result_type").asText() + ")"
                    : "")
            .append('\n');
      }
      details = sb.toString().strip();
    }
    throw new FloeException(code, message, details, null);
  }
}
