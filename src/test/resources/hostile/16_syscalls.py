# Row 16: the system calls an escape needs: namespaces (unshare, setns, clone with CLONE_NEW*),
# mounts, chroot/pivot_root, tracing (ptrace, process_vm_readv), bpf, perf, the keyring,
# userfaultfd, io_uring, module loading. Each is called directly (libc syscall) and its errno
# returned; clone3 must be ENOSYS (so libc falls back to a clone the filter can inspect).
import ctypes
import errno
import os

libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
CLONE_NEWUSER, CLONE_NEWNS, CLONE_NEWPID, CLONE_NEWNET = 0x10000000, 0x00020000, 0x20000000, 0x40000000
SIGCHLD = 17
calls = {
    "unshare_user": (272, CLONE_NEWUSER),
    "unshare_mount": (272, CLONE_NEWNS),
    "unshare_net": (272, CLONE_NEWNET),
    "setns": (308, 0, 0),
    "clone_newuser": (56, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0),
    "clone_newpid": (56, CLONE_NEWPID | SIGCHLD, 0, 0, 0, 0),
    "clone3": (435, 0, 0),
    "mount": (165, 0, 0, 0, 0, 0),
    "umount2": (166, 0, 0),
    "pivot_root": (155, 0, 0),
    "chroot": (161, 0),
    "ptrace_traceme": (101, 0, 0, 0, 0),
    "ptrace_attach_init": (101, 16, 1, 0, 0),
    "process_vm_readv": (310, 1, 0, 0, 0, 0, 0),
    "bpf": (321, 0, 0, 0),
    "perf_event_open": (298, 0, 0, -1, -1, 0),
    "keyctl": (250, 0, 0, 0, 0, 0),
    "add_key": (248, 0, 0, 0, 0, 0),
    "request_key": (249, 0, 0, 0, 0),
    "userfaultfd": (323, 0),
    "io_uring_setup": (425, 1, 0),
    "init_module": (175, 0, 0, 0),
    "finit_module": (313, -1, 0, 0),
    "kexec_load": (246, 0, 0, 0, 0),
    "open_tree": (428, -100, 0, 0),
    "fsopen": (430, 0, 0),
    "reboot": (169, 0, 0, 0, 0),
    "personality": (135, 0xFFFFFFFF),
}
outcome = {}
for name, (nr, *args) in calls.items():
    ctypes.set_errno(0)
    ret = libc.syscall(nr, *[ctypes.c_long(a) for a in args])
    if ret == 0 and name.startswith("clone"):
        os._exit(0)  # a clone the filter let through: the child leaves at once
    err = ctypes.get_errno()
    outcome[name] = errno.errorcode.get(err, str(err)) if ret == -1 else f"returned {ret}"
result = pl.DataFrame({"syscall": list(outcome), "outcome": list(outcome.values())})
