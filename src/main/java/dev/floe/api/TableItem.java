package dev.floe.api;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonValue;
import io.quarkus.runtime.annotations.RegisterForReflection;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * A table binding: either the string {@code "alias=namespace.table"} or an object with alias, table
 * and an optional snapshotId (string or number).
 *
 * <p>In the OpenAPI spec this is a bare {@code oneOf}: {@code implementation = Void.class} keeps
 * the scanner from adding {@code type: object} and the record's components ({@code spec}, {@code
 * object}), which are not on the wire. {@code PolarsRequest.tables} names this class as its items'
 * implementation for the same reason (as a list element it would be typed object beforehand).
 */
@Schema(
    name = "TableItem",
    implementation = Void.class,
    oneOf = {String.class, TableItem.TableObject.class},
    description = "\"alias=namespace.table\" or {\"alias\", \"table\", \"snapshotId\"}")
@RegisterForReflection
public record TableItem(String spec, TableObject object) {

  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  public static TableItem of(Object value) {
    if (value instanceof String s) {
      return new TableItem(s, null);
    }
    if (value instanceof java.util.Map<?, ?> map) {
      for (Object key : map.keySet()) {
        if (!java.util.Set.of("alias", "table", "snapshotId").contains(key)) {
          throw new IllegalArgumentException(
              "unknown field '" + key + "' in a tables item; use alias, table and snapshotId");
        }
      }
      Object snapshot = map.get("snapshotId");
      return new TableItem(
          null,
          new TableObject(
              (String) asText(map.get("alias")),
              (String) asText(map.get("table")),
              snapshot == null ? null : snapshot.toString()));
    }
    throw new IllegalArgumentException(
        "a tables item must be \"alias=namespace.table\" or {\"alias\": ..., \"table\": ...}");
  }

  private static Object asText(Object value) {
    if (value != null && !(value instanceof String)) {
      throw new IllegalArgumentException("alias and table in a tables item must be strings");
    }
    return value;
  }

  @JsonValue
  public Object json() {
    return spec != null ? spec : object;
  }

  /** The object form of a table binding. */
  @Schema(name = "TableObject", additionalProperties = Schema.False.class)
  @RegisterForReflection
  public record TableObject(
      @Schema(required = true, examples = "flowers") String alias,
      @Schema(required = true, examples = "default.flowers") String table,
      @Schema(
              nullable = true,
              implementation = Void.class,
              anyOf = {String.class, Long.class, Void.class},
              description = "read the table as of this snapshot (string of digits or number)",
              examples = "7507442581080545442")
          @JsonProperty("snapshotId")
          String snapshotId) {}
}
