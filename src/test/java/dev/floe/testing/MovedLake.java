package dev.floe.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.zeroturnaround.exec.ProcessExecutor;

/**
 * An embedded lake written in one folder and then moved (renamed) to another, as a user's {@code mv
 * floe floe2} does: its catalog still records the old absolute paths. Tables: {@code
 * default.flowers} (two appends, so two snapshots) and {@code default.other}. With the init arg
 * {@code relocate=true} Floe is started with {@code relocate-from} set to the old warehouse.
 */
public class MovedLake implements QuarkusTestResourceLifecycleManager {
  private static final String WRITE_LAKE =
      """
      import sys
      import pyarrow as pa
      from pyiceberg.catalog.sql import SqlCatalog
      home = sys.argv[1]
      cat = SqlCatalog("lake", uri=f"sqlite:///{home}/catalog/catalog.db",
                       warehouse=f"file://{home}/warehouse")
      cat.create_namespace("default")
      schema = pa.schema([("species", pa.string()), ("n", pa.int64())])
      flowers = cat.create_table("default.flowers", schema=schema,
                                 location=f"file://{home}/warehouse/default/flowers")
      flowers.append(pa.table({"species": ["a", "b"], "n": [1, 2]}, schema=schema))
      flowers.append(pa.table({"species": ["c"], "n": [3]}, schema=schema))
      other = cat.create_table("default.other", schema=schema,
                               location=f"file://{home}/warehouse/default/other")
      other.append(pa.table({"species": ["x"], "n": [9]}, schema=schema))
      print(flowers.metadata.snapshots[0].snapshot_id)
      """;

  private static Path root;
  private static Path oldHome;
  private static Path home;
  private static long firstSnapshot;
  private boolean relocate;

  @Override
  public void init(Map<String, String> initArgs) {
    relocate = Boolean.parseBoolean(initArgs.getOrDefault("relocate", "false"));
  }

  /** Where the lake was written; nothing is there any more. */
  public static Path oldHome() {
    return oldHome;
  }

  /** Where the lake is now: this test run's floe.home. */
  public static Path home() {
    return home;
  }

  /** The first snapshot of default.flowers (one append: two rows). */
  public static long firstSnapshot() {
    return firstSnapshot;
  }

  /** After TempLake, so this lake's floe.home is the one in force. */
  @Override
  public int order() {
    return 100;
  }

  @Override
  public Map<String, String> start() {
    try {
      root = Files.createTempDirectory("floe-moved-");
      oldHome = Files.createDirectories(root.resolve("floe/.floe"));
      Files.createDirectories(oldHome.resolve("catalog"));
      String out =
          new ProcessExecutor()
              .command(
                  TempLake.projectHome().resolve("dev-venv/bin/python").toString(),
                  "-c",
                  WRITE_LAKE,
                  oldHome.toString())
              .readOutput(true)
              .exitValueNormal()
              .timeout(2, TimeUnit.MINUTES)
              .execute()
              .outputUTF8()
              .strip();
      firstSnapshot = Long.parseLong(out.substring(out.lastIndexOf('\n') + 1).strip());
      Files.move(root.resolve("floe"), root.resolve("floe2"));
      home = root.resolve("floe2/.floe");
      TempLake.writeAdminKey(home);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (Exception e) {
      throw new IllegalStateException("cannot write the lake to move", e);
    }
    Map<String, String> config = new HashMap<>();
    config.put("floe.home", home.toString());
    config.put("floe.sandbox.python", TempLake.projectHome().resolve("venv/bin/python").toString());
    if (relocate) {
      config.put("floe.catalogs.lake.relocate-from", oldHome.resolve("warehouse").toString());
    }
    return config;
  }

  @Override
  public void stop() {
    if (root != null) {
      dev.floe.sandbox.RunFiles.deleteTree(root);
    }
  }
}
