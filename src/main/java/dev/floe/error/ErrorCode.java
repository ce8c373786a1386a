package dev.floe.error;

/** The contract's error codes: clients switch on these, never on message text. */
public enum ErrorCode {
  INVALID_REQUEST(400),
  SQL_SYNTAX(400),
  SCRIPT_SYNTAX(400),
  CATALOG_NOT_FOUND(404),
  TABLE_NOT_FOUND(404),
  NAMESPACE_NOT_FOUND(404),
  RUN_NOT_FOUND(404),
  /** Extension: an admin named an API key that does not exist. */
  KEY_NOT_FOUND(404),
  /** Extension: an admin removed a grant that does not exist. */
  GRANT_NOT_FOUND(404),
  /** No, a malformed, an expired, a revoked or a forged bearer token. */
  UNAUTHENTICATED(401),
  /** The caller may not do this (a table it may not read answers as a missing one instead). */
  FORBIDDEN(403),
  SCRIPT_ERROR(422),
  QUERY_ERROR(422),
  RESULT_NOT_ASSIGNED(422),
  RESULT_WRONG_TYPE(422),
  IDEMPOTENCY_KEY_REUSED(422),
  OUT_OF_MEMORY(422),
  SCHEMA_MISMATCH(409),
  RUN_FINISHED(409),
  /** Extension: the run was cancelled (DELETE on the run, or its client went away). */
  RUN_CANCELLED(409),
  /** Extension: a save lost the optimistic-commit race more often than the retry budget. */
  COMMIT_CONFLICT(409),
  /**
   * Extension: the table exists in the catalog but its files cannot be read (missing metadata,
   * manifests or data, e.g. a lake moved after Iceberg recorded absolute paths). 409: the request
   * is valid but conflicts with the table's current state; it is not transient (503) nor a bug
   * (500), and succeeds unchanged once the table is repaired or relocated.
   */
  TABLE_UNREADABLE(409),
  /** Extension: an admin created an API key under a name already taken. */
  KEY_EXISTS(409),
  /** Extension: the run's kept result passed its time to live and was removed. */
  RESULT_EXPIRED(410),
  LIMIT_EXCEEDED(413),
  BUSY(429),
  /** The caller's own running or queued runs are at its quota; other callers still run. */
  QUOTA_EXCEEDED(429),
  INTERNAL(500),
  SANDBOX_UNAVAILABLE(503),
  DISTRIBUTED_UNAVAILABLE(503),
  /** A distributed run's plan carries Python code or reads beyond its tables (extension). */
  PLAN_NOT_DISTRIBUTABLE(422),
  TIMEOUT(504);

  private final int httpStatus;

  ErrorCode(int httpStatus) {
    this.httpStatus = httpStatus;
  }

  public int httpStatus() {
    return httpStatus;
  }
}
