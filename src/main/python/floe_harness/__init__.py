"""The Python side of a Floe run: executes one job.json and writes its result or error."""
