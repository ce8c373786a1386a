# Row 14: reach the network. Probes aim at loopback only (the service's own port params["port"] on
# 127.0.0.1 and ::1), never at any other address (security-cases.md, the rule for network probes).
import socket

port = int(params["port"])
# floe-test: include _attempt.py


def tcp(family, host):
    s = socket.socket(family, socket.SOCK_STREAM)
    s.settimeout(2)
    s.connect((host, port))
    return "connected"


def udp():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.sendto(b"x", ("127.0.0.1", port))
    return "sent"


attempt("tcp4_service_port", lambda: tcp(socket.AF_INET, "127.0.0.1"))
attempt("tcp6_service_port", lambda: tcp(socket.AF_INET6, "::1"))
attempt("udp4_loopback", udp)
attempt("netlink_route", lambda: socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0) and "opened")
attempt("packet", lambda: socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0) and "opened")
attempt("vsock", lambda: socket.socket(40, socket.SOCK_STREAM, 0) and "opened")
attempt("raw_icmp", lambda: socket.socket(socket.AF_INET, socket.SOCK_RAW, 1) and "opened")
attempt("if_nameindex", lambda: sorted(name for _i, name in socket.if_nameindex()))
attempt("unix_socketpair", lambda: socket.socketpair(socket.AF_UNIX) and "opened")
interfaces = sorted(line.split(":")[0].strip() for line in open("/proc/net/dev").readlines()[2:])
outcome["interfaces"] = ",".join(interfaces)
result = pl.DataFrame({"probe": list(outcome), "outcome": list(outcome.values())})
