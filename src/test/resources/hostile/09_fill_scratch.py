# Row 9: fill the disk. params["variant"]:
# - "tmp": write /tmp (the run's scratch) until it is full, in files of 16 MB (each under the
#   file-size limit); the OSError ends the run;
# - "tmp_report": the same, but report how much fitted (the scratch size bounds it);
# - "outdir": write junk files beside the result file (the run's output directory);
# - "result": write the result file itself past the file-size limit, then exit 0.
# params["out"] is the run's output directory as the run sees it (the test knows the layout).
import errno
import os

variant = params["variant"]
chunk = b"\0" * (1024 * 1024)
if variant in ("tmp", "tmp_report"):
    written = 0
    code = None
    try:
        for n in range(100_000):
            with open(f"/tmp/fill-{n}", "wb") as f:
                for _ in range(16):
                    f.write(chunk)
                    f.flush()
                    written += 1
    except OSError as e:
        if variant == "tmp":
            raise
        code = errno.errorcode[e.errno]
    result = pl.DataFrame({"written_mb": [written], "errno": [code]})
elif variant == "outdir":
    out = params["out"]
    with open(os.path.join(out, "junk.bin"), "wb") as f:
        for _ in range(100_000):
            f.write(chunk)
else:
    with open(os.path.join(params["out"], "result.arrows"), "wb") as f:
        for _ in range(100_000):
            f.write(chunk)
    os._exit(0)
