# Included (by the test's and the bench's fixture loader) into the fixtures that hunt for the
# service's secrets: they are recognised by a prefix (the test's canary starts with it; the prefix
# is built here so that the script's own text never matches).
PREFIX = ("FLOE" + "CANARY").encode()


def hits(data):
    """Every place in ``data`` where a secret starts, with what follows it (60 bytes in all)."""
    found, start = [], 0
    while (i := data.find(PREFIX, start)) >= 0:
        found.append(data[i : i + 60].decode("latin-1"))
        start = i + 1
    return found
