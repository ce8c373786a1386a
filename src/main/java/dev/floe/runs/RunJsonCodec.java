package dev.floe.runs;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.floe.catalog.SaveOutcome;
import dev.floe.catalog.TableName;
import dev.floe.distributed.Placement;
import dev.floe.error.Diagnostics;
import dev.floe.error.ErrorCode;
import dev.floe.error.FloeException;
import dev.floe.sandbox.BoundedLog;
import dev.floe.workload.RunTimings;
import jakarta.inject.Singleton;
import java.io.UncheckedIOException;
import java.util.Base64;

/**
 * The three JSON columns of a run record: what it saved, its error, its logs. The shapes are the
 * stored format: records written by earlier versions must keep reading.
 */
@Singleton
public class RunJsonCodec {
  private final ObjectMapper json;

  public RunJsonCodec(ObjectMapper json) {
    this.json = json;
  }

  private record StoredSave(
      String table,
      @JsonProperty("rows_written") long rowsWritten,
      String mode,
      @JsonProperty("snapshot_id") String snapshotId,
      boolean created) {}

  private record StoredError(
      String code, String message, String details, Diagnostics diagnostics) {}

  private record StoredLog(String head, long dropped, String tail) {}

  private record StoredTimings(
      String runner,
      @JsonProperty("runner_id") String runnerId,
      boolean warm,
      @JsonProperty("runner_ms") long runnerMs,
      @JsonProperty("prepare_ms") long prepareMs,
      @JsonProperty("execute_ms") long executeMs,
      @JsonProperty("commit_ms") long commitMs) {}

  public String timings(RunTimings t) {
    return t == null
        ? null
        : write(
            new StoredTimings(
                t.runner(),
                t.runnerId(),
                t.warmRunner(),
                t.runnerStart().toMillis(),
                t.prepare().toMillis(),
                t.execute().toMillis(),
                t.commit().toMillis()));
  }

  public RunTimings timings(String stored) {
    if (stored == null) {
      return null;
    }
    StoredTimings t = read(stored, StoredTimings.class);
    return new RunTimings(
        t.runner(),
        t.runnerId(),
        t.warm(),
        java.time.Duration.ofMillis(t.runnerMs()),
        java.time.Duration.ofMillis(t.prepareMs()),
        java.time.Duration.ofMillis(t.executeMs()),
        java.time.Duration.ofMillis(t.commitMs()));
  }

  private record StoredCompute(
      boolean distributed,
      String target,
      @JsonProperty("instance_type") String instanceType,
      @JsonProperty("cluster_size") Integer clusterSize,
      Integer vcpus,
      String reason,
      @JsonProperty("query_id") String queryId) {}

  public String compute(Placement p) {
    return p == null
        ? null
        : write(
            new StoredCompute(
                p.distributed(),
                p.target(),
                p.instanceType(),
                p.clusterSize(),
                p.vcpus(),
                p.reason(),
                p.queryId()));
  }

  public Placement compute(String stored) {
    if (stored == null) {
      return null;
    }
    StoredCompute c = read(stored, StoredCompute.class);
    return new Placement(
        c.distributed(),
        c.target(),
        c.instanceType(),
        c.clusterSize(),
        c.vcpus(),
        c.reason(),
        c.queryId());
  }

  /** What the run was asked to run: the record's own shape (written only by Floe). */
  public String request(RunRecord.Request request) {
    return request == null ? null : write(request);
  }

  public RunRecord.Request request(String stored) {
    return stored == null ? null : read(stored, RunRecord.Request.class);
  }

  public String saved(SaveOutcome saved) {
    return saved == null
        ? null
        : write(
            new StoredSave(
                saved.table().toString(),
                saved.rowsWritten(),
                saved.mode(),
                saved.snapshotId(),
                saved.created()));
  }

  public SaveOutcome saved(String stored) {
    if (stored == null) {
      return null;
    }
    StoredSave s = read(stored, StoredSave.class);
    return new SaveOutcome(
        TableName.parse(s.table(), "saved table"),
        s.rowsWritten(),
        s.mode(),
        s.snapshotId(),
        s.created());
  }

  public String error(FloeException error) {
    return error == null
        ? null
        : write(
            new StoredError(
                error.code().name(), error.getMessage(), error.details(), error.diagnostics()));
  }

  /** The stored error of run {@code runId}; an unreadable one reads as an INTERNAL failure. */
  public FloeException error(String stored, String runId) {
    if (stored == null) {
      return null;
    }
    try {
      StoredError e = json.readValue(stored, StoredError.class);
      return new FloeException(
              ErrorCode.valueOf(e.code()), e.message(), e.details(), e.diagnostics())
          .inRun(runId);
    } catch (JsonProcessingException | IllegalArgumentException | NullPointerException e) {
      return new FloeException(
              ErrorCode.INTERNAL, "The run failed; its error record is unreadable.")
          .inRun(runId);
    }
  }

  public String logs(BoundedLog.Snapshot log) {
    Base64.Encoder base64 = Base64.getEncoder();
    return log == null
        ? null
        : write(
            new StoredLog(
                base64.encodeToString(log.head()),
                log.dropped(),
                base64.encodeToString(log.tail())));
  }

  public BoundedLog.Snapshot logs(String stored) {
    if (stored == null) {
      return null;
    }
    StoredLog log = read(stored, StoredLog.class);
    return new BoundedLog.Snapshot(
        Base64.getDecoder().decode(log.head()),
        log.dropped(),
        Base64.getDecoder().decode(log.tail()));
  }

  private <T> T read(String stored, Class<T> type) {
    try {
      return json.readValue(stored, type);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  private String write(Object value) {
    try {
      return json.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
