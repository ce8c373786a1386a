package dev.floe.workload;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.floe.catalog.CatalogHandle;
import dev.floe.catalog.IcebergCommitter;
import dev.floe.catalog.SaveCheck;
import dev.floe.error.ErrorCode;
import dev.floe.error.FloeException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Base64;

/**
 * A dry run's answer, as kept in its record: the harness's plan (the output schema, Polars' plan,
 * the tables and each scan's estimate: untrusted, read by typed fields only) and, with a
 * destination, the trusted save check: whether the save would pass, asked of the trusted writer
 * with the result's schema the harness sent (an Arrow stream of no rows), which is not kept.
 */
final class DryRunPlan {
  static final long MAX_PLAN_BYTES = 4L << 20;

  /** The field the harness sends the result's schema in (base64 of an Arrow stream, no rows). */
  static final String ARROW_SCHEMA = "arrow_schema";

  /** The field the verdict is kept in; whatever the harness wrote there is dropped. */
  static final String SAVE_CHECK = "save_check";

  private DryRunPlan() {}

  /** The harness's plan file: small JSON, read only if it is of sane size. */
  static String read(Path plan) {
    try {
      if (Files.size(plan) > MAX_PLAN_BYTES) {
        throw new FloeException(
            ErrorCode.LIMIT_EXCEEDED,
            "The plan is larger than "
                + MAX_PLAN_BYTES
                + " bytes; run the workload instead of a dry run.");
      }
      return Files.readString(plan);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the plan of a dry run", e);
    }
  }

  /**
   * The plan to keep: the harness's, without the result's schema and with the save check when the
   * workload saves ({@code scratch}: a directory of the service's, for the schema's file).
   */
  static String kept(
      String harnessPlan,
      Destination destination,
      CatalogHandle catalog,
      IcebergCommitter committer,
      Path scratch,
      ObjectMapper json) {
    JsonNode parsed;
    try {
      parsed = json.readTree(harnessPlan);
    } catch (JsonProcessingException e) {
      return harnessPlan; // unreadable: the answer says so
    }
    if (!(parsed instanceof ObjectNode plan)) {
      return harnessPlan;
    }
    JsonNode schema = plan.remove(ARROW_SCHEMA);
    plan.remove(SAVE_CHECK);
    if (destination != null) {
      SaveCheck check =
          committer.check(
              catalog,
              destination.table(),
              schemaFile(schema, scratch),
              destination.saveMode(),
              destination.schemaMode());
      plan.set(SAVE_CHECK, json.valueToTree(check));
    }
    return plan.toString();
  }

  private static Path schemaFile(JsonNode schema, Path scratch) {
    byte[] stream;
    try {
      stream = Base64.getDecoder().decode(schema == null ? "" : schema.asText(""));
    } catch (IllegalArgumentException e) {
      stream = new byte[0];
    }
    if (stream.length == 0) {
      throw new FloeException(
          ErrorCode.INTERNAL,
          "The dry run did not report its result's schema, so whether the save would pass cannot"
              + " be checked; run it again, and report it if it happens again.");
    }
    Path file = scratch.resolve("save-check.arrows");
    try {
      Files.write(file, stream, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write the schema of a dry run's save check", e);
    }
    return file;
  }
}
