package dev.floe.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The seccomp program itself, run on a small classic-BPF interpreter over the kernel's {@code
 * seccomp_data} (arch, syscall number, arguments): what it answers for each call, without a
 * sandbox. (The runner contract tests check the same calls from inside real runs.)
 */
class SeccompFilterTest {
  private static final int X86_64 = 0xC000003E;
  private static final int ALLOW = 0x7fff0000;
  private static final int KILL_PROCESS = 0x80000000;
  private static final int EPERM = 0x00050000 | 1;
  private static final int ENOSYS = 0x00050000 | 38;
  private static final int EAFNOSUPPORT = 0x00050000 | 97;

  /** Runs the program on one call: arch, number, first argument. */
  static int verdict(int arch, int nr, long arg0) {
    ByteBuffer program = ByteBuffer.wrap(SeccompFilter.program()).order(ByteOrder.LITTLE_ENDIAN);
    ByteBuffer data = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
    data.putInt(0, nr).putInt(4, arch).putLong(16, arg0);
    int accumulator = 0;
    int pc = 0;
    for (int steps = 0; steps < 10_000; steps++) {
      int code = program.getShort(pc * 8) & 0xffff;
      int jt = program.get(pc * 8 + 2) & 0xff;
      int jf = program.get(pc * 8 + 3) & 0xff;
      int k = program.getInt(pc * 8 + 4);
      switch (code) {
        case 0x20 -> { // ld w abs
          accumulator = data.getInt(k);
          pc++;
        }
        case 0x15 -> pc += 1 + (accumulator == k ? jt : jf); // jeq
        case 0x35 -> pc += 1 + (Integer.compareUnsigned(accumulator, k) >= 0 ? jt : jf); // jge
        case 0x45 -> pc += 1 + ((accumulator & k) != 0 ? jt : jf); // jset
        case 0x06 -> {
          return k; // ret
        }
        default -> throw new AssertionError("an instruction the interpreter lacks: " + code);
      }
    }
    throw new AssertionError("the program does not end");
  }

  static int[] denied() {
    return SeccompFilter.DENIED.stream().mapToInt(Integer::intValue).toArray();
  }

  @ParameterizedTest
  @MethodSource("denied")
  void everyEscapeCallIsDenied(int nr) {
    assertEquals(EPERM, verdict(X86_64, nr, 0));
  }

  @Test
  void ordinaryCallsAreAllowed() {
    for (int nr : new int[] {0, 1, 2, 3, 9, 57, 59, 60, 231}) { // read write open close mmap fork…
      assertEquals(ALLOW, verdict(X86_64, nr, 0), "syscall " + nr);
    }
  }

  @Test
  void anotherArchitectureOrTheX32AbiIsKilled() {
    assertEquals(KILL_PROCESS, verdict(0x40000003, 0, 0)); // i386
    assertEquals(KILL_PROCESS, verdict(X86_64, 0x40000000, 0)); // x32
  }

  @Test
  void cloneMakesThreadsAndProcessesButNoNamespaces() {
    long thread = 0x3d0f00; // what glibc passes for pthread_create
    assertEquals(ALLOW, verdict(X86_64, 56, thread));
    assertEquals(ALLOW, verdict(X86_64, 56, 0x11)); // fork: SIGCHLD
    for (long ns : new long[] {0x10000000, 0x20000000, 0x40000000, 0x00020000, 0x02000000}) {
      assertEquals(EPERM, verdict(X86_64, 56, 0x11 | ns), "clone flag " + Long.toHexString(ns));
    }
    assertEquals(ENOSYS, verdict(X86_64, 435, 0)); // clone3: libc falls back to clone
  }

  @Test
  void onlyUnixSocketsAreAllowed() {
    for (int nr : new int[] {41, 53}) { // socket, socketpair
      assertEquals(ALLOW, verdict(X86_64, nr, 1)); // AF_UNIX
      for (int family : new int[] {2, 10, 16, 17, 40}) { // INET INET6 NETLINK PACKET VSOCK
        assertEquals(EAFNOSUPPORT, verdict(X86_64, nr, family), "family " + family);
      }
    }
  }
}
