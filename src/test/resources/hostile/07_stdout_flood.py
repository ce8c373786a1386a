# Row 7: flood the logs: params["variant"] "flood" prints params["mb"] MB to stdout in 1 MB lines
# (and a little to stderr), "line" prints one line of params["mb"] MB without a newline until the
# end. The result must come back unaffected, the logs bounded with a truncation marker.
import sys

mb = int(params["mb"])
chunk = "y" * (1024 * 1024 - 1) + "\n"
print("FIRST-LINE-OF-THE-RUN", flush=True)
if params["variant"] == "line":
    piece = "z" * (1024 * 1024)
    for _ in range(mb):
        sys.stdout.write(piece)
    sys.stdout.write("\n")
else:
    for i in range(mb):
        sys.stdout.write(chunk)
        if i % 256 == 0:
            print(f"stderr line {i}", file=sys.stderr)
sys.stdout.flush()
print("LAST-LINE-OF-THE-RUN", flush=True)
result = pl.DataFrame({"printed_mb": [mb], "variant": [params["variant"]]})
