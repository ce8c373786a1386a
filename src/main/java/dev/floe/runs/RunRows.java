package dev.floe.runs;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.List;

/** A run record as a row of {@code floe_runs}, and back. */
final class RunRows {
  static final List<String> COLUMNS =
      List.of(
          "run_id",
          "status",
          "mode",
          "catalog",
          "destination",
          "principal",
          "created_at",
          "started_at",
          "finished_at",
          "elapsed_ms",
          "row_count",
          "saved_json",
          "error_json",
          "logs",
          "result_file",
          "result_expires_at",
          "plan_json",
          "max_rows",
          "max_result_bytes",
          "commit_started",
          "timings_json",
          "compute_json",
          "trace_id",
          "profile_json",
          "request_json");

  /**
   * The columns of a run's summary, for lists: a run's logs, its request and its profile are left
   * out (each can be large, and a list shows none of them), its plan only marked present.
   */
  static final List<String> SUMMARY =
      COLUMNS.stream()
          .map(
              column ->
                  switch (column) {
                    case "logs", "request_json", "profile_json" -> "NULL AS " + column;
                    case "plan_json" ->
                        "CASE WHEN plan_json IS NULL THEN NULL ELSE '' END AS plan_json";
                    default -> column;
                  })
          .toList();

  private final RunJsonCodec json;

  RunRows(RunJsonCodec json) {
    this.json = json;
  }

  /** Binds every column but run_id from parameter {@code i} on; returns the next parameter. */
  int bind(PreparedStatement p, int i, RunRecord run) throws SQLException {
    p.setString(i++, run.status().name());
    p.setString(i++, run.mode());
    p.setString(i++, run.catalog());
    p.setString(i++, run.destination());
    p.setString(i++, run.principal());
    p.setLong(i++, run.createdAt().toEpochMilli());
    setInstant(p, i++, run.startedAt());
    setInstant(p, i++, run.finishedAt());
    setLong(p, i++, run.elapsedMs());
    setLong(p, i++, run.rowCount());
    p.setString(i++, json.saved(run.saved()));
    p.setString(i++, json.error(run.error()));
    p.setString(i++, json.logs(run.logs()));
    p.setString(i++, run.resultFile());
    setInstant(p, i++, run.resultExpiresAt());
    p.setString(i++, run.plan());
    p.setInt(i++, run.maxRows());
    p.setLong(i++, run.maxResultBytes());
    p.setInt(i++, run.commitStarted() ? 1 : 0);
    p.setString(i++, json.timings(run.timings()));
    p.setString(i++, json.compute(run.compute()));
    p.setString(i++, run.asked().traceId());
    p.setString(i++, run.profile());
    p.setString(i++, json.request(run.asked().request()));
    return i;
  }

  RunRecord read(ResultSet r) throws SQLException {
    String runId = r.getString("run_id");
    RunStatus status = RunStatus.valueOf(r.getString("status"));
    RunRecord.Asked asked =
        new RunRecord.Asked(
            r.getString("mode"),
            r.getString("catalog"),
            r.getString("destination"),
            r.getString("principal"),
            Instant.ofEpochMilli(r.getLong("created_at")),
            r.getInt("max_rows"),
            r.getLong("max_result_bytes"),
            r.getString("trace_id"),
            json.request(r.getString("request_json")));
    Instant finished = instant(r, "finished_at");
    RunRecord.Ending ending = null;
    if (finished != null) {
      RunRecord.Output output =
          status != RunStatus.SUCCEEDED
              ? null
              : new RunRecord.Output(
                  longOrNull(r, "row_count"),
                  json.saved(r.getString("saved_json")),
                  r.getString("plan_json"),
                  r.getString("result_file"),
                  instant(r, "result_expires_at"),
                  json.timings(r.getString("timings_json")),
                  json.compute(r.getString("compute_json")),
                  r.getString("profile_json"));
      ending =
          new RunRecord.Ending(
              finished,
              longOrNull(r, "elapsed_ms"),
              json.logs(r.getString("logs")),
              json.error(r.getString("error_json"), runId),
              output);
    }
    return new RunRecord(
        runId, status, asked, instant(r, "started_at"), r.getInt("commit_started") != 0, ending);
  }

  private static void setInstant(PreparedStatement p, int i, Instant value) throws SQLException {
    setLong(p, i, value == null ? null : value.toEpochMilli());
  }

  private static void setLong(PreparedStatement p, int i, Long value) throws SQLException {
    if (value == null) {
      p.setNull(i, Types.BIGINT);
    } else {
      p.setLong(i, value);
    }
  }

  private static Instant instant(ResultSet r, String column) throws SQLException {
    Long value = longOrNull(r, column);
    return value == null ? null : Instant.ofEpochMilli(value);
  }

  private static Long longOrNull(ResultSet r, String column) throws SQLException {
    long value = r.getLong(column);
    return r.wasNull() ? null : value;
  }
}
