package dev.floe.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.floe.catalog.SaveCheck;
import dev.floe.error.ErrorCode;
import dev.floe.error.FloeException;
import dev.floe.runs.RunRecord;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.io.IOException;
import java.math.BigInteger;
import java.util.List;

/**
 * A dry run's answer, read from the plan kept in its record: the harness's part (untrusted, read by
 * typed fields only: the output schema, Polars' plan, the scans and their estimates) and the
 * service's save check.
 */
final class DryRunAnswer {
  private final ObjectReader plans;

  DryRunAnswer(ObjectMapper json) {
    this.plans =
        json.readerFor(HarnessPlan.class)
            .without(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
  }

  /** A finished dry run's answer, from its kept plan. */
  PolarsResponse.DryRun answer(RunRecord end) {
    try {
      HarnessPlan plan = plans.readValue(end.plan());
      List<PolarsResponse.ScanEstimate> reads = plan.reads() == null ? List.of() : plan.reads();
      long files = 0;
      BigInteger bytes = BigInteger.ZERO;
      BigInteger records = BigInteger.ZERO;
      for (PolarsResponse.ScanEstimate read : reads) {
        files += read.dataFiles();
        bytes = bytes.add(digits(read.bytes()));
        records = records.add(digits(read.records()));
      }
      return new PolarsResponse.DryRun(
          plan.columns(),
          plan.columnTypes(),
          plan.plan(),
          plan.scanned() == null ? List.of() : plan.scanned(),
          end.destination(),
          reads,
          new PolarsResponse.InputEstimate(files, bytes.toString(), records.toString()),
          verdict(plan.saveCheck()));
    } catch (IOException | RuntimeException e) {
      throw new FloeException(
              ErrorCode.INTERNAL,
              "The dry run of " + end.runId() + " produced an unreadable plan; run it again.")
          .inRun(end.runId());
    }
  }

  /** A count the harness wrote as a string of digits (anything else: an unreadable plan). */
  private static BigInteger digits(String value) {
    if (value == null || !value.matches("[0-9]{1,30}")) {
      throw new IllegalArgumentException("not a count: " + value);
    }
    return new BigInteger(value);
  }

  private static PolarsResponse.SaveVerdict verdict(SaveCheck check) {
    if (check == null) {
      return null;
    }
    return new PolarsResponse.SaveVerdict(
        check.table(),
        check.wouldSave(),
        check.createsTable(),
        check.errorCode(),
        check.error(),
        check.columns().stream()
            .map(c -> new PolarsResponse.SaveColumn(c.name(), c.type()))
            .toList(),
        check.differences().stream()
            .map(
                d ->
                    new PolarsResponse.SchemaDifference(
                        d.column(), d.problem(), d.tableType(), d.resultType()))
            .toList());
  }

  /**
   * A dry run's kept plan: what the harness wrote (untrusted: only these typed fields are read) and
   * the save check the service added (trusted; the harness's own {@code save_check} is dropped
   * before it is kept).
   */
  @RegisterForReflection
  private record HarnessPlan(
      List<String> columns,
      @JsonProperty("column_types") List<String> columnTypes,
      String plan,
      List<PolarsResponse.ScannedTable> scanned,
      List<PolarsResponse.ScanEstimate> reads,
      @JsonProperty("save_check") SaveCheck saveCheck) {}
}
