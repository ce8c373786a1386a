# Included (by the test's and the bench's fixture loader) into the fixtures that report what each of
# their attempts came to: what the attempt returned, or the name of the errno it failed with.
import errno

outcome = {}


def attempt(what, action):
    try:
        outcome[what] = str(action())
    except OSError as e:
        outcome[what] = errno.errorcode.get(e.errno, type(e).__name__)
