package dev.floe.sandbox;

import static dev.floe.testing.Workloads.script;
import static org.hamcrest.Matchers.equalTo;

import dev.floe.testing.TempLake;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.util.List;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/** The default runner, plus the isolation it adds, each layer checked from inside a run. */
@QuarkusTest
@QuarkusTestResource(TempLake.class)
class BwrapRunnerContractTest extends RunnerContractTest {

  @ConfigProperty(name = "quarkus.http.test-port")
  int port;

  @Override
  String runnerName() {
    return "bwrap";
  }

  @Test
  void unprivilegedInItsOwnPidNamespace() {
    script(
            "import os\n"
                + "pids = [p for p in os.listdir('/proc') if p.isdigit()]\n"
                + "result = pl.DataFrame({'uid': [os.getuid()], 'few_pids': [len(pids) < 10],"
                + " 'nnp': [open('/proc/self/status').read().count('NoNewPrivs:\\t1')]})\n")
        .statusCode(200)
        .body("results.rows[0]", equalTo(List.of(65534, true, 1)));
  }

  @Test
  void noNetworkNotEvenTheServicesOwnPort() {
    // Loopback only, per the test rules: a failed isolation must never send traffic elsewhere.
    script(
            "import socket\n"
                + "s = socket.socket()\n"
                + "s.settimeout(2)\n"
                + "try:\n"
                + "    s.connect(('127.0.0.1', "
                + port
                + "))\n"
                + "    reached = True\n"
                + "except OSError:\n"
                + "    reached = False\n"
                + "result = pl.DataFrame({'reached': [reached],"
                + " 'ifaces': [sorted(n for _, n in socket.if_nameindex())]})\n")
        .statusCode(200)
        .body("results.rows[0]", equalTo(List.of(false, List.of("lo"))));
  }

  @Test
  void theLakeIsReadOnlyAndTheHostIsNotThere() {
    script(
            "import os\n"
                + "wh = catalog.load_table('default.flowers').location().removeprefix('file://')\n"
                + "try:\n"
                + "    open(os.path.join(wh, 'evil'), 'w')\n"
                + "    wrote = True\n"
                + "except OSError:\n"
                + "    wrote = False\n"
                + "result = pl.DataFrame({'wrote': [wrote],"
                + " 'shadow': [os.path.exists('/etc/shadow')],"
                + " 'root_home': [os.path.exists('/root/.m2')]})\n")
        .statusCode(200)
        .body("results.rows[0]", equalTo(List.of(false, false, false)));
  }

  @Test
  void otherRunsAndTheCatalogsWritersAreInvisible() {
    // The job file sits in <home>/runs/<run id>/: from inside, only this run's directory exists.
    script(
            "import os, sys\n"
                + "runs = os.path.dirname(os.path.dirname(sys.argv[1]))\n"
                + "home = os.path.dirname(runs)\n"
                + "result = pl.DataFrame({'runs': [len(os.listdir(runs))],"
                + " 'home': [sorted(os.listdir(home))],"
                + " 'tmp_writable': [os.access('/tmp', os.W_OK)]})\n")
        .statusCode(200)
        .body("results.rows[0][0]", equalTo(1))
        .body("results.rows[0][1]", equalTo(List.of("catalog", "harness", "runs", "warehouse")))
        .body("results.rows[0][2]", equalTo(true));
  }
}
