package dev.floe.sandbox;

import static dev.floe.testing.Workloads.post;
import static dev.floe.testing.Workloads.script;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.floe.testing.TempLake;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.util.List;
import java.util.Map;
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
                + "try:\n"
                + "    s = socket.socket()\n"
                + "    s.settimeout(2)\n"
                + "    s.connect(('127.0.0.1', "
                + port
                + "))\n"
                + "    reached = True\n"
                + "except OSError:\n"
                + "    reached = False\n"
                + "result = pl.DataFrame({'reached': [reached],"
                + " 'ifaces': [sorted(l.split(':')[0].strip() for l in open('/proc/net/dev').readlines()[2:])]})\n")
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

  @Test
  void seccompDeniesNamespacesMountsTracingAndNonUnixSockets() {
    script(
            "import ctypes, errno, os, socket, threading\n"
                + "libc = ctypes.CDLL(None, use_errno=True)\n"
                + "def denied(fn):\n"
                + "    try:\n"
                + "        fn()\n"
                + "        return 'allowed'\n"
                + "    except OSError as e:\n"
                + "        return errno.errorcode.get(e.errno, str(e.errno))\n"
                + "def call(name, *args):\n"
                + "    def run():\n"
                + "        if getattr(libc, name)(*args) != 0:\n"
                + "            raise OSError(ctypes.get_errno(), name)\n"
                + "    return run\n"
                + "checks = {\n"
                + "  'unshare_user': denied(call('unshare', 0x10000000)),\n"
                + "  'unshare_net': denied(call('unshare', 0x40000000)),\n"
                + "  'mount': denied(call('mount', b'none', b'/tmp', b'tmpfs', 0, None)),\n"
                + "  'ptrace': denied(call('ptrace', 0, 0, 0, 0)),\n"
                + "  'keyctl': denied(call('syscall', 250, 0, 0, 0, 0)),\n"
                + "  'bpf': denied(call('syscall', 321, 0, 0, 0)),\n"
                + "  'inet': denied(lambda: socket.socket(socket.AF_INET)),\n"
                + "  'inet6': denied(lambda: socket.socket(socket.AF_INET6)),\n"
                + "  'netlink': denied(lambda: socket.socket(socket.AF_NETLINK, socket.SOCK_RAW)),\n"
                + "  'vsock': denied(lambda: socket.socket(40, socket.SOCK_STREAM)),\n"
                + "  'unix': denied(lambda: socket.socketpair(socket.AF_UNIX)),\n"
                + "}\n"
                + "t = threading.Thread(target=lambda: None); t.start(); t.join()\n"
                + "result = pl.DataFrame({'check': list(checks), 'outcome': list(checks.values())})\n"
                + "result = result.with_columns(threads_ok=pl.lit(True))\n")
        .statusCode(200)
        .body(
            "results.rows",
            equalTo(
                List.of(
                    List.of("unshare_user", "EPERM", true),
                    List.of("unshare_net", "EPERM", true),
                    List.of("mount", "EPERM", true),
                    List.of("ptrace", "EPERM", true),
                    List.of("keyctl", "EPERM", true),
                    List.of("bpf", "EPERM", true),
                    List.of("inet", "EAFNOSUPPORT", true),
                    List.of("inet6", "EAFNOSUPPORT", true),
                    List.of("netlink", "EAFNOSUPPORT", true),
                    List.of("vsock", "EAFNOSUPPORT", true),
                    List.of("unix", "allowed", true))));
  }

  @Test
  void subprocessesWorkButGainNoPrivilege() {
    script(
            "import subprocess\n"
                + "out = subprocess.run(['id', '-u'], capture_output=True, text=True).stdout.strip()\n"
                + "result = pl.DataFrame({'uid': [out]})\n")
        .statusCode(200)
        .body("results.rows[0][0]", equalTo("65534"));
  }

  /**
   * Script prologue for bombs: it refuses to go on unless this very run is in its own PID namespace
   * and in Floe's per-run memory and pids cgroups (so a broken sandbox never bombs the host).
   */
  private static final String VERIFY_ISOLATION =
      "import os\n"
          + "groups = open('/proc/self/cgroup').read()\n"
          + "assert os.getpid() < 10, 'not in a PID namespace'\n"
          + "assert all(f'{c}:' in groups and '/floe-runs-' in groups.split(f'{c}:')[1].split()[0]"
          + " for c in ('memory', 'pids')), groups\n";

  @Test
  void memoryBombIsKilledByTheMemoryCgroup() {
    post(Map.of(
            "mode",
            "script",
            "script",
            VERIFY_ISOLATION
                + "hog = []\n"
                + "while True:\n"
                + "    hog.append(bytearray(16 * 1024 * 1024))\n",
            "limits",
            Map.of("memoryMb", 512)))
        .statusCode(422)
        .body("error_code", equalTo("OUT_OF_MEMORY"))
        .body("error", containsString("512 MB"));
    script("result = pl.DataFrame({'after': [1]})\n").statusCode(200);
  }

  @Test
  void forkBombStopsAtThePidsLimitAndLeavesNoProcess() throws InterruptedException {
    post(Map.of(
            "mode",
            "script",
            "script",
            VERIFY_ISOLATION
                + "import time\n"
                + "while True:\n"
                + "    if os.fork() == 0:\n"
                + "        time.sleep(600)\n"
                + "        os._exit(0)\n"))
        .statusCode(422)
        .body("error_code", equalTo("SCRIPT_ERROR"))
        .body("error", containsString("limit on processes"));
    // Processes of this service's runs, by their cgroup: other services on the machine (other
    // test JVMs) run their own sandboxes as the same unprivileged uid at the same time.
    String runs = "/floe-runs-" + ProcessHandle.current().pid() + "/";
    java.util.function.Supplier<List<String>> survivors =
        () ->
            ProcessHandle.allProcesses()
                .filter(
                    p -> {
                      try {
                        return java.nio.file.Files.readString(
                                java.nio.file.Path.of("/proc/" + p.pid() + "/cgroup"))
                            .contains(runs);
                      } catch (java.io.IOException e) {
                        return false;
                      }
                    })
                .map(p -> p.pid() + " " + p.info().commandLine().orElse("?"))
                .toList();
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (!survivors.get().isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    org.junit.jupiter.api.Assertions.assertEquals(
        List.of(), survivors.get(), "processes of the fork bomb survived");
    script("result = pl.DataFrame({'after': [1]})\n").statusCode(200);
  }
}
