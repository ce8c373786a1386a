package dev.floe.catalog;

import java.util.List;

/**
 * A dry run's verdict on its save, given by the trusted writer with the rules of a real save: it
 * would pass (and the table's columns after it), or it would be refused (and why, as the save's own
 * error would say).
 *
 * @param errorCode null when the save would pass; else the code the save would fail with
 * @param columns the table's columns after the save (empty when refused)
 * @param differences how the result's columns differ from the table's now (empty for a new table)
 */
public record SaveCheck(
    String table,
    boolean createsTable,
    String errorCode,
    String error,
    List<Column> columns,
    List<Difference> differences) {

  public record Column(String name, String type) {}

  /** One column where the result and the table disagree: missing, extra, or of another type. */
  public record Difference(String column, String problem, String tableType, String resultType) {}

  public boolean wouldSave() {
    return errorCode == null;
  }
}
