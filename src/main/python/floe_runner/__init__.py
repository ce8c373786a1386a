"""The trusted side of a runner's start.

A template interpreter that has imported the libraries a run needs forks each runner from itself
into fresh namespaces, cgroups and an unprivileged uid before the runner can receive any code. It
never runs user code and never sees a job.
"""
