package dev.floe.api;

import dev.floe.catalog.TableName;
import dev.floe.catalog.trusted.SaveMode;
import dev.floe.catalog.trusted.SchemaMode;
import dev.floe.distributed.Distribution;
import dev.floe.error.FloeException;
import dev.floe.workload.Caller;
import dev.floe.workload.Compute;
import dev.floe.workload.Destination;
import dev.floe.workload.LimitsPolicy;
import dev.floe.workload.Mode;
import dev.floe.workload.TableBinding;
import dev.floe.workload.Workload;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Checks a request's shape and turns it into a {@link Workload}; every refusal names the fix. */
@ApplicationScoped
public class RequestMapper {
  private final LimitsPolicy limits;

  public RequestMapper(LimitsPolicy limits) {
    this.limits = limits;
  }

  public Workload toWorkload(PolarsRequest r, Caller caller) {
    if (r == null) {
      throw FloeException.invalid(
          "Cannot read the request: the body is empty; send a JSON object with mode and a query"
              + " or a script.");
    }
    if (r.mode() == null) {
      throw FloeException.invalid(
          "Cannot run the request: mode is missing; set mode to \"query\" or \"script\".");
    }
    String source = source(r);
    RequestLimits asked = r.limits();
    var runLimits =
        asked == null
            ? limits.apply(caller.principal(), null, null, null, null)
            : limits.apply(
                caller.principal(),
                asked.timeoutSeconds(),
                asked.memoryMb(),
                asked.maxRows(),
                asked.maxResultBytes());
    return new Workload(
        r.mode(),
        source,
        bindings(r.tables()),
        r.params() == null ? Map.of() : r.params(),
        r.catalog() == null || r.catalog().isBlank() ? null : r.catalog().strip(),
        destination(r),
        runLimits,
        compute(r),
        Boolean.TRUE.equals(r.dryRun()),
        Boolean.TRUE.equals(r.profile()),
        jobName(r.jobName()),
        caller);
  }

  /** The job name lineage gives the run: one line of at most 200 printable characters. */
  private static String jobName(String asked) {
    if (asked == null) {
      return null;
    }
    String name = asked.strip();
    if (name.isEmpty()
        || name.length() > 200
        || name.codePoints().anyMatch(c -> Character.isISOControl(c))) {
      throw FloeException.invalid(
          "jobName must be 1 to 200 printable characters on one line (it names the run's job in"
              + " its lineage events); shorten it, or leave it out to name the job by its source.");
    }
    return name;
  }

  private static String source(PolarsRequest r) {
    boolean query = r.mode() == Mode.QUERY;
    String wanted = query ? r.query() : r.script();
    String other = query ? r.script() : r.query();
    String wantedField = query ? "query" : "script";
    String otherField = query ? "script" : "query";
    if (other != null) {
      throw FloeException.invalid(
          "Cannot use "
              + otherField
              + " with mode="
              + wantedField
              + ": put the source in "
              + wantedField
              + ", or set mode to \""
              + otherField
              + "\".");
    }
    if (wanted == null || wanted.isBlank()) {
      throw FloeException.invalid(
          "Cannot run mode="
              + wantedField
              + " without "
              + wantedField
              + ": it is missing or empty.");
    }
    return wanted;
  }

  private static List<TableBinding> bindings(List<TableItem> items) {
    List<TableBinding> out = new ArrayList<>();
    Set<String> aliases = new HashSet<>();
    for (TableItem item : items == null ? List.<TableItem>of() : items) {
      if (item == null) {
        throw FloeException.invalid("Cannot read tables: an item is null; remove it.");
      }
      TableBinding binding =
          item.spec() != null ? fromSpec(item.spec()) : fromObject(item.object());
      if (!aliases.add(binding.alias())) {
        throw FloeException.invalid(
            "Cannot bind alias '"
                + binding.alias()
                + "' twice in tables; give each table its own.");
      }
      out.add(binding);
    }
    return out;
  }

  /** {@code alias=namespace.table}, or {@code namespace.table} bound under its table name. */
  private static TableBinding fromSpec(String spec) {
    int eq = spec.indexOf('=');
    if (eq < 0) {
      TableName table = TableName.parse(spec.strip(), "table binding");
      return new TableBinding(table.table(), table, null);
    }
    String alias = spec.substring(0, eq).strip();
    requireAlias(alias, spec);
    return new TableBinding(alias, TableName.parse(spec.substring(eq + 1).strip(), "table"), null);
  }

  private static TableBinding fromObject(TableItem.TableObject o) {
    requireAlias(o.alias(), String.valueOf(o.alias()));
    TableName table = TableName.parse(o.table(), "table");
    Long snapshot = null;
    if (o.snapshotId() != null) {
      try {
        snapshot = Long.parseLong(o.snapshotId().strip());
      } catch (NumberFormatException e) {
        throw FloeException.invalid(
            "Cannot read snapshotId '"
                + o.snapshotId()
                + "' of alias '"
                + o.alias()
                + "': it must be a snapshot id, a whole number.");
      }
    }
    return new TableBinding(o.alias(), table, snapshot);
  }

  private static void requireAlias(String alias, String spec) {
    if (!TableName.isIdentifier(alias)) {
      throw FloeException.invalid(
          "Cannot bind table '"
              + spec
              + "': the alias must be letters, digits and underscores, starting with a letter or"
              + " underscore, as in \"flowers=default.flowers\".");
    }
  }

  private static Destination destination(PolarsRequest r) {
    if (r.destination() == null) {
      return null;
    }
    TableName table = TableName.parse(r.destination().strip(), "destination");
    SaveMode save = r.saveMode() == null ? SaveMode.OVERWRITE : r.saveMode();
    SchemaMode schema = r.schemaMode() == null ? SchemaMode.STRICT : r.schemaMode();
    if (schema == SchemaMode.OVERWRITE && save != SaveMode.OVERWRITE) {
      throw FloeException.invalid(
          "Cannot use schemaMode=overwrite with saveMode=append: replacing the schema needs"
              + " saveMode=overwrite; use schemaMode=merge to add columns while appending.");
    }
    return new Destination(table, save, schema);
  }

  private static Compute compute(PolarsRequest r) {
    positive("clusterSize", r.clusterSize());
    positive("vcpus", r.vcpus());
    Distribution distribution =
        r.distributed() == null ? Distribution.LOCAL : r.distributed().distribution();
    if (distribution == Distribution.LOCAL
        && (r.instanceType() != null || r.clusterSize() != null)) {
      throw FloeException.invalid(
          "Cannot use "
              + (r.instanceType() != null ? "instanceType" : "clusterSize")
              + " without distributed: they size the distributed engine's cluster; set"
              + " \"distributed\": true (or \"auto\"), or remove them to run locally.");
    }
    if (r.instanceType() != null && r.instanceType().isBlank()) {
      throw FloeException.invalid(
          "Cannot use an empty instanceType; name one (e.g. t4g.medium) or remove it.");
    }
    return new Compute(distribution, r.instanceType(), r.clusterSize(), r.vcpus());
  }

  private static void positive(String field, Integer value) {
    if (value != null && value < 1) {
      throw FloeException.invalid(
          "Cannot use " + field + " = " + value + ": it must be at least 1.");
    }
  }
}
