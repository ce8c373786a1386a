package dev.floe.observe;

import dev.floe.catalog.CatalogRegistry;
import dev.floe.catalog.LakeLookup;
import dev.floe.catalog.SaveOutcome;
import dev.floe.catalog.TableShape;
import dev.floe.workload.Destination;
import dev.floe.workload.TableRead;
import io.openlineage.client.OpenLineage;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * The datasets of a run's lineage events: the tables it read and the one it saved, each named by
 * its location (as other producers name Iceberg files) with the catalog's name in a symlink, at its
 * snapshot, with its schema there; the saved one with the rows written.
 */
final class LineageDatasets {
  private static final Logger LOG = Logger.getLogger(LineageDatasets.class);

  private final OpenLineage openLineage;
  private final String namespace;
  private final CatalogRegistry catalogs;
  private final LakeLookup lookup;

  LineageDatasets(
      OpenLineage openLineage, String namespace, CatalogRegistry catalogs, LakeLookup lookup) {
    this.openLineage = openLineage;
    this.namespace = namespace;
    this.catalogs = catalogs;
    this.lookup = lookup;
  }

  OpenLineage.InputDataset input(TableRead read) {
    OpenLineage.DatasetFacetsBuilder facets = openLineage.newDatasetFacetsBuilder();
    Name name = name(read.table(), read.shape());
    facets.symlinks(symlinks(read.table()));
    if (read.snapshotId() != null) {
      facets.version(openLineage.newDatasetVersionDatasetFacet(read.snapshotId()));
    }
    if (read.shape() != null) {
      facets.schema(schema(read.shape()));
    }
    return openLineage
        .newInputDatasetBuilder()
        .namespace(name.namespace())
        .name(name.name())
        .facets(facets.build())
        .build();
  }

  /** Before the save: the table the run means to write (nothing is known of it yet). */
  List<OpenLineage.OutputDataset> declaredOutput(String catalog, Destination destination) {
    if (destination == null) {
      return List.of();
    }
    String table = catalog + "." + destination.table();
    Name name = name(table, null);
    return List.of(
        openLineage
            .newOutputDatasetBuilder()
            .namespace(name.namespace())
            .name(name.name())
            .facets(openLineage.newDatasetFacetsBuilder().symlinks(symlinks(table)).build())
            .build());
  }

  /** After the save: the table with its new snapshot, its schema there, and the rows written. */
  OpenLineage.OutputDataset savedOutput(String runId, String catalog, SaveOutcome saved) {
    String table = catalog + "." + saved.table();
    TableShape shape = null;
    try {
      shape =
          TableShape.of(
              lookup.load(catalogs.get(catalog), saved.table()),
              saved.snapshotId() == null ? null : Long.parseLong(saved.snapshotId()));
    } catch (RuntimeException e) {
      LOG.warnf("lineage of run %s: cannot read %s's schema: %s", runId, table, e.getMessage());
    }
    Name name = name(table, shape);
    OpenLineage.DatasetFacetsBuilder facets =
        openLineage.newDatasetFacetsBuilder().symlinks(symlinks(table));
    if (saved.snapshotId() != null) {
      facets.version(openLineage.newDatasetVersionDatasetFacet(saved.snapshotId()));
    }
    if (shape != null) {
      facets.schema(schema(shape));
    }
    return openLineage
        .newOutputDatasetBuilder()
        .namespace(name.namespace())
        .name(name.name())
        .facets(facets.build())
        .outputFacets(
            openLineage
                .newOutputDatasetOutputFacetsBuilder()
                .outputStatistics(
                    openLineage.newOutputStatisticsOutputDatasetFacet(
                        saved.rowsWritten(), null, null))
                .build())
        .build();
  }

  /**
   * A dataset's name, by OpenLineage's naming of files: its location's scheme and authority as the
   * namespace, its path as the name; the catalog's name of the table goes in a symlink. Unknown
   * location: the catalog's name.
   */
  private Name name(String table, TableShape shape) {
    if (shape == null || shape.location() == null) {
      return new Name(namespace + "." + catalogOfTable(table), tableInCatalog(table));
    }
    String location = shape.location();
    URI uri = URI.create(location.startsWith("/") ? "file://" + location : location);
    String scheme = uri.getScheme() == null ? "file" : uri.getScheme();
    String authority = uri.getAuthority();
    String namespace =
        "file".equals(scheme) || authority == null ? scheme : scheme + "://" + authority;
    return new Name(namespace, uri.getPath());
  }

  private OpenLineage.SymlinksDatasetFacet symlinks(String table) {
    return openLineage.newSymlinksDatasetFacet(
        List.of(
            openLineage.newSymlinksDatasetFacetIdentifiers(
                namespace + "." + catalogOfTable(table), tableInCatalog(table), "TABLE")));
  }

  private OpenLineage.SchemaDatasetFacet schema(TableShape shape) {
    return openLineage.newSchemaDatasetFacet(fields(shape.columns()));
  }

  private List<OpenLineage.SchemaDatasetFacetFields> fields(List<TableShape.Column> columns) {
    List<OpenLineage.SchemaDatasetFacetFields> fields = new ArrayList<>();
    for (int i = 0; i < columns.size(); i++) {
      TableShape.Column c = columns.get(i);
      fields.add(
          openLineage.newSchemaDatasetFacetFields(
              c.name(),
              c.type(),
              c.doc(),
              (long) i + 1,
              c.fields().isEmpty() ? null : fields(c.fields())));
    }
    return fields;
  }

  private static String catalogOfTable(String table) {
    return table.substring(0, table.indexOf('.'));
  }

  private static String tableInCatalog(String table) {
    return table.substring(table.indexOf('.') + 1);
  }

  private record Name(String namespace, String name) {}
}
