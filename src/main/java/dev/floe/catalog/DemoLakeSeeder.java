package dev.floe.catalog;

import dev.floe.catalog.trusted.CatalogAccess;
import dev.floe.catalog.trusted.TrustedAnswer;
import dev.floe.catalog.trusted.TrustedRequest;
import dev.floe.catalog.trusted.TrustedWriterException;
import dev.floe.catalog.trusted.TrustedWriterPool;
import dev.floe.config.CatalogsConfig;
import dev.floe.config.FloeConfig;
import dev.floe.error.FloeException;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import org.jboss.logging.Logger;

/** Creates the demo table {@code default.flowers} (iris) in catalogs configured with demo=true. */
@ApplicationScoped
public class DemoLakeSeeder {
  private static final Logger LOG = Logger.getLogger(DemoLakeSeeder.class);
  static final TableName FLOWERS = new TableName("default", "flowers");
  private static final Duration SEED_TIMEOUT = Duration.ofMinutes(2);

  private final CatalogRegistry catalogs;
  private final TrustedWriterPool writers;
  private final LakeLookup lookup;
  private final Path home;

  public DemoLakeSeeder(
      CatalogRegistry catalogs, TrustedWriterPool writers, LakeLookup lookup, FloeConfig floe) {
    this.catalogs = catalogs;
    this.writers = writers;
    this.lookup = lookup;
    this.home = floe.homePath();
  }

  void onStart(@Observes StartupEvent event) {
    for (String name : catalogs.names()) {
      CatalogsConfig.Catalog spec = catalogs.spec(name);
      if (spec.demo()) {
        seed(catalogs.get(name));
      }
    }
  }

  private void seed(CatalogHandle catalog) {
    if (exists(catalog)) {
      return;
    }
    try (InputStream iris = getClass().getResourceAsStream("/demo/iris.csv")) {
      Path demoDir = Files.createDirectories(home.resolve("demo"));
      Path csv = demoDir.resolve("iris.csv");
      Files.copy(iris, csv, StandardCopyOption.REPLACE_EXISTING);
      TrustedAnswer answer =
          writers.ask(
              new TrustedRequest.Seed(
                  new CatalogAccess(catalog.name(), catalog.writerProperties()),
                  FLOWERS.toString(),
                  csv.toAbsolutePath().toString()),
              SEED_TIMEOUT);
      if (answer instanceof TrustedAnswer.Seeded) {
        LOG.infof("demo table %s.%s: %s", catalog.name(), FLOWERS, answer);
      } else {
        LOG.errorf("cannot create the demo table %s in %s: %s", FLOWERS, catalog.name(), answer);
      }
    } catch (IOException | TrustedWriterException e) {
      LOG.errorf(
          "cannot create the demo table %s in %s: %s", FLOWERS, catalog.name(), e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** A listed but unreadable demo table is reported (never overwritten: it may hold user data). */
  private boolean exists(CatalogHandle catalog) {
    try {
      lookup.load(catalog, FLOWERS);
      return true;
    } catch (UnreadableTableException broken) {
      return true;
    } catch (FloeException missing) {
      return false;
    }
  }
}
