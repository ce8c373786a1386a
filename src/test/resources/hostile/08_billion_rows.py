# Row 8: a result of 10**9 rows. params["variant"]:
# - "int8": 10**9 one-byte values (1 GB of Arrow): the result file stops at the run's file-size
#   limit, and the answer is LIMIT_EXCEEDED naming it — the service never holds the result;
# - "nulls": 10**9 rows of a Null column (no data buffers): small enough to stream, so the answer
#   is the first maxRows rows with row_count 10**9;
# - "mid": params["rows"] one-byte values, under the file limit but above the request's
#   limits.maxResultBytes: LIMIT_EXCEEDED naming that limit.
variant = params["variant"]
if variant == "int8":
    result = pl.select(v=pl.repeat(1, 10**9, dtype=pl.Int8, eager=True))
elif variant == "nulls":
    result = pl.select(v=pl.repeat(None, 10**9, eager=True))
else:
    result = pl.select(v=pl.repeat(1, int(params["rows"]), dtype=pl.Int8, eager=True))
