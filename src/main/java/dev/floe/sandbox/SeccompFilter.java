package dev.floe.sandbox;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * The seccomp filter of a run, as a classic BPF program for {@code bwrap --seccomp FD} (x86-64). It
 * denies what a data workload never needs and an escape always does: creating namespaces, mounting,
 * tracing, loading BPF or kernel modules, the kernel keyring, and every socket family but AF_UNIX.
 * Other architectures (and the x32 ABI) are killed outright rather than left unfiltered.
 */
public final class SeccompFilter {
  private static final int AUDIT_ARCH_X86_64 = 0xC000003E;
  private static final int X32_SYSCALL_BIT = 0x40000000;
  private static final int RET_ALLOW = 0x7fff0000;
  private static final int RET_KILL_PROCESS = 0x80000000;
  private static final int RET_ERRNO = 0x00050000;
  private static final int EPERM = 1;
  private static final int ENOSYS = 38;
  private static final int EAFNOSUPPORT = 97;
  private static final int AF_UNIX = 1;

  /** CLONE_NEWNS | NEWCGROUP | NEWUTS | NEWIPC | NEWUSER | NEWPID | NEWNET (and NEWTIME). */
  private static final int CLONE_NEW_ANY = 0x7E020080;

  private static final int LD_W_ABS = 0x20;
  private static final int JEQ = 0x15;
  private static final int JGE = 0x35;
  private static final int JSET = 0x45;
  private static final int RET = 0x06;

  /** x86-64 numbers of the denied system calls (EPERM). */
  static final List<Integer> DENIED =
      List.of(
          272, // unshare
          308, // setns
          165, // mount
          166, // umount2
          155, // pivot_root
          161, // chroot
          101, // ptrace
          310, // process_vm_readv
          311, // process_vm_writev
          321, // bpf
          298, // perf_event_open
          250, // keyctl
          248, // add_key
          249, // request_key
          175, // init_module
          313, // finit_module
          176, // delete_module
          246, // kexec_load
          320, // kexec_file_load
          323, // userfaultfd
          425, // io_uring_setup
          426, // io_uring_enter
          427, // io_uring_register
          428, // open_tree
          429, // move_mount
          430, // fsopen
          431, // fsconfig
          432, // fsmount
          433, // fspick
          442, // mount_setattr
          169, // reboot
          167, // swapon
          168, // swapoff
          163, // acct
          135 // personality
          );

  private static final int SYS_SOCKET = 41;
  private static final int SYS_SOCKETPAIR = 53;
  private static final int SYS_CLONE = 56;
  private static final int SYS_CLONE3 = 435;

  private SeccompFilter() {}

  /** The program, ready to be read by bwrap from a file descriptor. */
  public static byte[] program() {
    Program p = new Program();
    p.op(LD_W_ABS, 0, 0, 4); // arch
    p.op(JEQ, 1, 0, AUDIT_ARCH_X86_64);
    p.op(RET, 0, 0, RET_KILL_PROCESS);
    p.op(LD_W_ABS, 0, 0, 0); // syscall number
    p.op(JGE, 0, 1, X32_SYSCALL_BIT);
    p.op(RET, 0, 0, RET_KILL_PROCESS);
    for (int nr : DENIED) {
      p.op(JEQ, 0, 1, nr);
      p.op(RET, 0, 0, RET_ERRNO | EPERM);
    }
    // clone3 passes its flags in memory a filter cannot read: make libc fall back to clone.
    p.op(JEQ, 0, 1, SYS_CLONE3);
    p.op(RET, 0, 0, RET_ERRNO | ENOSYS);
    // clone: threads and processes yes, new namespaces no (flags are args[0], low word).
    p.op(JEQ, 0, 4, SYS_CLONE);
    p.op(LD_W_ABS, 0, 0, 16);
    p.op(JSET, 0, 1, CLONE_NEW_ANY);
    p.op(RET, 0, 0, RET_ERRNO | EPERM);
    p.op(RET, 0, 0, RET_ALLOW);
    for (int nr : List.of(SYS_SOCKET, SYS_SOCKETPAIR)) {
      p.op(JEQ, 0, 4, nr);
      p.op(LD_W_ABS, 0, 0, 16); // domain
      p.op(JEQ, 0, 1, AF_UNIX);
      p.op(RET, 0, 0, RET_ALLOW);
      p.op(RET, 0, 0, RET_ERRNO | EAFNOSUPPORT);
    }
    p.op(RET, 0, 0, RET_ALLOW);
    return p.bytes();
  }

  /** struct sock_filter { u16 code; u8 jt; u8 jf; u32 k; }, little-endian. */
  private static final class Program {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    void op(int code, int jt, int jf, int k) {
      ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      b.putShort((short) code).put((byte) jt).put((byte) jf).putInt(k);
      out.writeBytes(b.array());
    }

    byte[] bytes() {
      return out.toByteArray();
    }
  }
}
