package dev.floe.catalog;

import dev.floe.catalog.trusted.CatalogAccess;
import dev.floe.catalog.trusted.SaveMode;
import dev.floe.catalog.trusted.SchemaMode;
import dev.floe.catalog.trusted.TrustedAnswer;
import dev.floe.catalog.trusted.TrustedRequest;
import dev.floe.catalog.trusted.TrustedWriterException;
import dev.floe.catalog.trusted.TrustedWriterPool;
import dev.floe.config.SaveConfig;
import dev.floe.error.ErrorCode;
import dev.floe.error.FloeException;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * The trusted step that saves a finished run's result: it hands the result file to a trusted
 * PyIceberg writer, which holds the catalog's write access that user code never gets. It runs only
 * after the run succeeded, so a failed, timed-out or cancelled run commits nothing.
 *
 * <p>Each save carries a fresh commit token that the writer records in the snapshot it commits.
 * When a writer dies mid-save the same job goes to a fresh writer, which finds the token if the
 * commit had landed (so nothing is committed twice); after a timeout, or a second death, a fresh
 * writer is asked whether the token landed, so the answer says truly whether anything was saved.
 */
@ApplicationScoped
public class IcebergCommitter {
  private static final Logger LOG = Logger.getLogger(IcebergCommitter.class);

  private final TrustedWriterPool writers;
  private final SaveConfig config;
  private final TableCache tables;
  private final LakeLookup lookup;

  public IcebergCommitter(
      TrustedWriterPool writers, SaveConfig config, TableCache tables, LakeLookup lookup) {
    this.writers = writers;
    this.config = config;
    this.tables = tables;
    this.lookup = lookup;
  }

  /**
   * @param mode what happens to the destination's rows; {@code schemaMode}, to its schema
   */
  public SaveOutcome commit(
      CatalogHandle catalog,
      TableName table,
      Path arrowResult,
      SaveMode mode,
      SchemaMode schemaMode) {
    requireWriter(catalog);
    lookup.requireReadableIfExists(catalog, table);
    var job =
        new TrustedRequest.Commit(
            new CatalogAccess(catalog.name(), catalog.writerProperties()),
            table.toString(),
            arrowResult.toAbsolutePath().toString(),
            mode,
            schemaMode,
            createNamespaces(catalog),
            UUID.randomUUID().toString().replace("-", ""),
            config.commitAttempts());
    long started = System.nanoTime();
    TrustedAnswer answer;
    try {
      answer = send(job, table);
    } finally {
      // Whatever the writer did, the next lookup reads the table as the catalog has it now.
      tables.invalidate(catalog, table.identifier());
    }
    LOG.debugf("commit to %s answered in %d ms", table, (System.nanoTime() - started) / 1_000_000);
    if (answer instanceof TrustedAnswer.Saved saved) {
      return outcome(table, saved);
    }
    if (answer instanceof TrustedAnswer.Refused refused) {
      throw new FloeException(code(refused), refused.message(), details(refused), null);
    }
    String why = answer instanceof TrustedAnswer.Failed failed ? failed.error() : answer.toString();
    LOG.errorf("commit to %s failed in the trusted writer: %s", table, why);
    throw failedInside(table);
  }

  /**
   * A dry run's save check: whether saving a result of the schema in {@code arrowSchemaOnly} (an
   * Arrow stream of no rows) would pass under these modes, asked of the trusted writer, which
   * applies the save's own rules in a transaction it never commits.
   */
  public SaveCheck check(
      CatalogHandle catalog,
      TableName table,
      Path arrowSchemaOnly,
      SaveMode mode,
      SchemaMode schemaMode) {
    requireWriter(catalog);
    lookup.requireReadableIfExists(catalog, table);
    var question =
        new TrustedRequest.CheckSave(
            new CatalogAccess(catalog.name(), catalog.writerProperties()),
            table.toString(),
            arrowSchemaOnly.toAbsolutePath().toString(),
            mode,
            schemaMode,
            createNamespaces(catalog));
    TrustedAnswer answer;
    try {
      answer = writers.ask(question, config.writerTimeout());
    } catch (TrustedWriterException e) {
      LOG.errorf("save check of %s: %s", table, e.getMessage());
      throw checkFailed(table);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw checkFailed(table);
    }
    if (answer instanceof TrustedAnswer.WouldSave would) {
      return new SaveCheck(
          table.toString(),
          would.createsTable(),
          null,
          null,
          would.columns().stream().map(c -> new SaveCheck.Column(c.name(), c.type())).toList(),
          differences(would.differences()));
    }
    if (answer instanceof TrustedAnswer.Refused refused) {
      return new SaveCheck(
          table.toString(),
          false,
          code(refused).name(),
          refused.message(),
          List.of(),
          differences(refused.differences()));
    }
    String why = answer instanceof TrustedAnswer.Failed failed ? failed.error() : answer.toString();
    LOG.errorf("save check of %s failed in the trusted writer: %s", table, why);
    throw checkFailed(table);
  }

  private static List<SaveCheck.Difference> differences(List<TrustedAnswer.Difference> found) {
    return found.stream()
        .map(
            d ->
                new SaveCheck.Difference(
                    d.column(),
                    d.problem().name().toLowerCase(Locale.ROOT),
                    d.tableType(),
                    d.resultType()))
        .toList();
  }

  private static FloeException checkFailed(TableName table) {
    return new FloeException(
        ErrorCode.INTERNAL,
        "Cannot check whether a save to '"
            + table
            + "' would pass: the check failed inside Floe; run the dry run again, or without"
            + " dryRun.");
  }

  private boolean createNamespaces(CatalogHandle catalog) {
    return config.createNamespaces().orElse(catalog.type().equals("jdbc") && catalog.embedded());
  }

  private static void requireWriter(CatalogHandle catalog) {
    if (catalog.writerProperties().isEmpty()) {
      throw new FloeException(
          ErrorCode.INVALID_REQUEST,
          "Cannot save to catalog '"
              + catalog.name()
              + "': it has no writer configured; set floe.catalogs."
              + catalog.name()
              + ".writer-properties, or save to another catalog.");
    }
  }

  private TrustedAnswer send(TrustedRequest.Commit job, TableName table) {
    try {
      try {
        return writers.ask(job, config.writerTimeout());
      } catch (TrustedWriterException lost) {
        if (lost.kind() != TrustedWriterException.Kind.DIED) {
          return afterLosingTheWriter(job, table, lost);
        }
        LOG.warnf("commit to %s: %s; sending it to another writer", table, lost.getMessage());
        try {
          return writers.ask(job, config.writerTimeout());
        } catch (TrustedWriterException again) {
          return afterLosingTheWriter(job, table, again);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw failedInside(table);
    }
  }

  /** The writer was killed mid-save: whether its commit landed decides the answer. */
  private TrustedAnswer afterLosingTheWriter(
      TrustedRequest.Commit job, TableName table, TrustedWriterException lost)
      throws InterruptedException {
    LOG.errorf("commit to %s: %s", table, lost.getMessage());
    if (lost.kind() == TrustedWriterException.Kind.UNAVAILABLE) {
      throw failedInside(table);
    }
    var question =
        new TrustedRequest.FindLanded(job.catalog(), job.identifier(), job.commitToken());
    TrustedAnswer found;
    try {
      found = writers.ask(question, config.writerTimeout());
    } catch (TrustedWriterException e) {
      LOG.errorf("commit to %s: cannot check whether it landed: %s", table, e.getMessage());
      throw new FloeException(
          ErrorCode.INTERNAL,
          "Cannot save to '"
              + table
              + "': the commit failed inside Floe and whether it landed could not be checked;"
              + " look at the table's latest snapshot before retrying.");
    }
    if (found instanceof TrustedAnswer.Saved saved) {
      LOG.warnf("commit to %s had landed before its writer was lost: %s", table, saved);
      return saved;
    }
    if (lost.kind() == TrustedWriterException.Kind.TIMED_OUT) {
      throw new FloeException(
          ErrorCode.INTERNAL,
          "Cannot save to '"
              + table
              + "': the commit did not finish within "
              + config.writerTimeout().toSeconds()
              + " s and was stopped, so nothing was saved; retry the request, or ask the operator"
              + " to raise floe.save.writer-timeout.");
    }
    throw failedInside(table);
  }

  private static FloeException failedInside(TableName table) {
    return new FloeException(
        ErrorCode.INTERNAL,
        "Cannot save to '" + table + "': the commit failed inside Floe; the table is unchanged.");
  }

  private static SaveOutcome outcome(TableName table, TrustedAnswer.Saved saved) {
    return new SaveOutcome(
        table,
        saved.rowsWritten(),
        saved.mode().name().toLowerCase(Locale.ROOT),
        saved.snapshotId(),
        saved.created());
  }

  private static ErrorCode code(TrustedAnswer.Refused refused) {
    return switch (refused.errorCode()) {
      case SCHEMA_MISMATCH -> ErrorCode.SCHEMA_MISMATCH;
      case NAMESPACE_NOT_FOUND -> ErrorCode.NAMESPACE_NOT_FOUND;
      case CONFLICT -> ErrorCode.COMMIT_CONFLICT;
    };
  }

  /** One line per differing column, e.g. {@code v: type (table long) (result string)}. */
  private static String details(TrustedAnswer.Refused refused) {
    if (refused.differences().isEmpty()) {
      return null;
    }
    return refused.differences().stream()
        .map(
            d ->
                d.column()
                    + ": "
                    + d.problem().name().toLowerCase(Locale.ROOT)
                    + (d.tableType() != null ? " (table " + d.tableType() + ")" : "")
                    + (d.resultType() != null ? " (result " + d.resultType() + ")" : ""))
        .collect(Collectors.joining("\n"));
  }
}
