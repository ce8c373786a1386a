package dev.floe.workload;

import com.fasterxml.jackson.databind.JsonNode;
import dev.floe.catalog.CatalogHandle;
import dev.floe.catalog.LakeLookup;
import dev.floe.catalog.Reach;
import dev.floe.catalog.TableAccess;
import dev.floe.catalog.TableName;
import dev.floe.catalog.TableShape;
import dev.floe.distributed.Dispatcher;
import dev.floe.error.ErrorCode;
import dev.floe.error.FloeException;
import dev.floe.sandbox.RunJob;
import dev.floe.sandbox.Runner;
import dev.floe.sandbox.RunnerFiles;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.HistoryEntry;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableMetadata;

/**
 * The trusted side of one run's table access: it resolves what the run binds before the hand-over,
 * and answers what the run asks over its channel while it runs ({@code scan()} of another table or
 * snapshot, the catalog's listings). Every table a run reads passes through here and is granted
 * through {@link TableAccess}, one table at one snapshot at a time.
 */
final class RunAccess implements Runner.Requests {
  /** A profile is tens of nodes; far more is not one. */
  static final int MAX_PROFILE_CHARS = 256 * 1024;

  private static final int LATEST_LISTED = 5;

  /** A table resolved to one snapshot of its current metadata; null snapshot: it has none. */
  record Resolved(TableName name, Table table, TableMetadata metadata, Long snapshotId) {}

  private final CatalogHandle catalog;
  private final LakeLookup lookup;
  private final TableAccess access;
  private final Caller caller;
  private final Reach reach;
  private final RunControl control;
  private volatile RunnerFiles runner;
  private final List<Dispatcher.GrantedTable> granted =
      java.util.Collections.synchronizedList(new java.util.ArrayList<>());

  /**
   * @param caller whose run it is: what it may read (anything else is answered as missing), and
   *     whether its key still holds at each request
   * @param control where each table given to the run is recorded (the audit trail reads it)
   */
  RunAccess(
      CatalogHandle catalog,
      LakeLookup lookup,
      TableAccess access,
      Caller caller,
      RunControl control) {
    this.catalog = catalog;
    this.lookup = lookup;
    this.access = access;
    this.caller = caller;
    this.reach = caller.reach();
    this.control = control;
  }

  /** The table at a snapshot: its id, a time ({@code asOfMillis}), or (both null) the current. */
  Resolved resolve(TableName name, Long snapshotId, Long asOfMillis) {
    Table table = lookup.load(catalog, name, reach);
    TableMetadata metadata = ((HasTableOperations) table).operations().current();
    Long wanted;
    if (asOfMillis != null) {
      wanted = asOf(name, metadata, asOfMillis);
    } else if (snapshotId != null) {
      if (metadata.snapshot(snapshotId) == null) {
        throw noSnapshot(name, metadata, snapshotId);
      }
      wanted = snapshotId;
    } else {
      Snapshot current = metadata.currentSnapshot();
      wanted = current == null ? null : current.snapshotId();
    }
    return new Resolved(name, table, metadata, wanted);
  }

  /** From now on grants go into this runner's root. */
  void attach(Runner taken) {
    this.runner = taken.files();
  }

  RunJob.Table grant(Resolved resolved) {
    RunJob.Table granted =
        access.grant(
            runner,
            catalog.name(),
            resolved.name(),
            resolved.table(),
            resolved.metadata(),
            resolved.snapshotId());
    control.read(
        new TableRead(
            catalog.name() + "." + resolved.name(),
            granted.snapshotId(),
            TableShape.of(resolved.metadata(), resolved.snapshotId())));
    this.granted.add(
        new Dispatcher.GrantedTable(
            granted.identifier(),
            granted.snapshotId(),
            resolved.metadata().metadataFileLocation()));
    return granted;
  }

  /**
   * Every table granted to the run so far, by its real metadata file (the run reads a copy): what
   * the dispatcher may scan for a distributed run's plan, and nothing else.
   */
  List<Dispatcher.GrantedTable> grantedTables() {
    synchronized (granted) {
      return List.copyOf(granted);
    }
  }

  /** A run's request for a table, as it comes over the channel. */
  record TableRequest(String name, Long snapshotId, Long asOfMillis) {
    static TableRequest parse(JsonNode request) {
      JsonNode snapshot = request.path("snapshot_id");
      JsonNode asOf = request.path("as_of_ms");
      return new TableRequest(
          request.path("name").asText(""),
          snapshot.isTextual() && !snapshot.asText().isEmpty() ? parseId(snapshot.asText()) : null,
          asOf.isIntegralNumber() ? asOf.asLong() : null);
    }
  }

  @Override
  public Object answer(JsonNode request) {
    String type = request.path("type").asText();
    long id = request.path("id").asLong();
    try {
      FloeException revoked = caller.refusal();
      if (revoked != null) {
        throw revoked;
      }
      return switch (type) {
        case "table" -> reply(type, id, "table", grant(resolve(TableRequest.parse(request))));
        case "namespaces" ->
            reply(
                type,
                id,
                "namespaces",
                lookup.namespaces(catalog, reach).stream()
                    .map(n -> List.of(n.split("\\.")))
                    .toList());
        case "profile" -> {
          String profile = request.path("profile").toString();
          if (profile.length() > MAX_PROFILE_CHARS) {
            throw new FloeException(
                ErrorCode.LIMIT_EXCEEDED,
                "The run's profile is larger than "
                    + MAX_PROFILE_CHARS
                    + " characters; profile a smaller query.");
          }
          control.profile(profile);
          yield reply(type, id, "profile", true);
        }
        case "tables" -> {
          String namespace = request.path("namespace").asText();
          yield reply(
              type,
              id,
              "tables",
              lookup.tables(catalog, namespace, reach).stream()
                  .map(t -> List.of(namespace, t))
                  .toList());
        }
        default ->
            throw new FloeException(
                ErrorCode.INTERNAL, "The run sent a request this service does not know.");
      };
    } catch (FloeException refused) {
      return refusal(type, id, refused);
    }
  }

  /** An answer that gives the run what it asked for ({@code key}: table, namespaces, tables). */
  static Map<String, Object> reply(String type, long id, String key, Object value) {
    Map<String, Object> reply = new LinkedHashMap<>();
    reply.put("type", type);
    reply.put("id", id);
    reply.put("ok", true);
    reply.put(key, value);
    return reply;
  }

  /** An answer that refuses, with the code and the one sentence the run reports as its error. */
  static Map<String, Object> refusal(String type, long id, FloeException refused) {
    Map<String, Object> reply = new LinkedHashMap<>();
    reply.put("type", type);
    reply.put("id", id);
    reply.put("ok", false);
    reply.put("error_code", refused.code().name());
    reply.put("message", refused.getMessage());
    return reply;
  }

  private Resolved resolve(TableRequest request) {
    TableName table;
    try {
      table = TableName.parse(request.name(), "the table");
    } catch (FloeException invalid) {
      throw new FloeException(ErrorCode.TABLE_NOT_FOUND, invalid.getMessage());
    }
    return resolve(table, request.snapshotId(), request.asOfMillis());
  }

  private static Long parseId(String digits) {
    try {
      return Long.parseLong(digits);
    } catch (NumberFormatException e) {
      throw new FloeException(
          ErrorCode.TABLE_NOT_FOUND, "Snapshot id '" + digits + "' is not a snapshot id.");
    }
  }

  private static Long asOf(TableName name, TableMetadata metadata, long millis) {
    Long found = null;
    for (HistoryEntry entry : metadata.snapshotLog()) {
      if (entry.timestampMillis() <= millis) {
        found = entry.snapshotId();
      }
    }
    if (found != null) {
      return found;
    }
    String since =
        metadata.snapshots().stream()
            .map(Snapshot::timestampMillis)
            .min(Long::compare)
            .map(first -> "its first snapshot is from " + iso(first))
            .orElse("it has no snapshots");
    throw new FloeException(
        ErrorCode.TABLE_NOT_FOUND,
        "Table '"
            + name
            + "' has no snapshot as of "
            + iso(millis)
            + " ("
            + since
            + "); use a later as_of.");
  }

  private FloeException noSnapshot(TableName name, TableMetadata metadata, long snapshotId) {
    List<String> latest =
        metadata.snapshots().stream()
            .sorted(Comparator.comparingLong(Snapshot::timestampMillis).reversed())
            .limit(LATEST_LISTED)
            .map(s -> Long.toString(s.snapshotId()))
            .toList();
    return new FloeException(
        ErrorCode.TABLE_NOT_FOUND,
        "Table '"
            + name
            + "' has no snapshot "
            + snapshotId
            + " ("
            + (latest.isEmpty()
                ? "it has no snapshots"
                : "latest snapshots: " + String.join(", ", latest))
            + "); use one of those ids or omit the snapshot to read the current one (all of them:"
            + " GET /api/v1/catalogs/"
            + catalog.name()
            + "/namespaces/"
            + name.namespace()
            + "/tables/"
            + name.table()
            + ").");
  }

  private static String iso(long millis) {
    return DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(
        Instant.ofEpochMilli(millis).atOffset(ZoneOffset.UTC));
  }
}
