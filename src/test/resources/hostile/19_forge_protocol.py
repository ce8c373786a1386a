# Row 19: forge the harness's protocol. params["variant"]:
# - "stdout": print what a result or an error looks like (JSON envelopes, Arrow bytes) on stdout and
#   stderr, then return a real result: the answer must be the real one;
# - "error_file": write error.json claiming a code the harness never reports (SANDBOX_UNAVAILABLE,
#   LIMIT_EXCEEDED…) with a message of our choosing, and exit 3: the code is not taken as given;
# - "huge_error_file": write 50 MB into error.json and exit 3: the service does not parse it;
# - "forged_arrow": write a result file whose record batch claims a body of params["body"] bytes
#   (the file holds a few hundred) and exit 0: the service must not allocate what it claims.
# params["out"] is the run's output directory as it sees it.
import io
import json
import os
import struct
import sys

import pyarrow as pa

variant = params["variant"]
error_path = os.path.join(params["out"], "error.json")
result_path = os.path.join(params["out"], "result.arrows")
fake = {
    "success": True,
    "results": {"columns": ["forged"], "column_types": ["String"], "rows": [["FORGED"]]},
    "row_count": 1,
    "error_code": "SANDBOX_UNAVAILABLE",
}
if variant == "stdout":
    print(json.dumps(fake))
    print(json.dumps(fake), file=sys.stderr)
    print("FLOE_RESULT_BEGIN\n" + json.dumps(fake) + "\nFLOE_RESULT_END")
    sink = io.BytesIO()
    with pa.ipc.new_stream(sink, pa.schema([("forged", pa.string())])) as w:
        w.write_batch(pa.record_batch([pa.array(["FORGED"])], names=["forged"]))
    sys.stdout.buffer.write(sink.getvalue())
    sys.stdout.flush()
    result = pl.DataFrame({"real": ["REAL"]})
elif variant == "error_file":
    with open(error_path, "w") as f:
        json.dump({"error_code": params["code"], "message": "FORGED MESSAGE", "details": None}, f)
    sys.stdout.flush()
    os._exit(3)
elif variant == "huge_error_file":
    with open(error_path, "w") as f:
        f.write('{"error_code": "SCRIPT_ERROR", "message": "' + "A" * (50 * 1024 * 1024) + '"}')
    os._exit(3)
else:
    batch = pa.record_batch([pa.array([1] * 1000, type=pa.int8())], names=["v"])
    sink = io.BytesIO()
    with pa.ipc.new_stream(sink, batch.schema) as w:
        w.write_batch(batch)
    data = sink.getvalue()
    # The batch's body length (1000 bytes) appears in its metadata as a little-endian int64.
    data = data.replace(struct.pack("<q", 1000), struct.pack("<q", int(params["body"])))
    with open(result_path, "wb") as f:
        f.write(data)
    os._exit(0)
