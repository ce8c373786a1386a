package dev.floe.runs;

import dev.floe.workload.Workload;
import java.time.Instant;

/**
 * What a client asked to run, and how.
 *
 * @param idempotencyKey null when the client sent none
 * @param bodyHash what the key is bound to
 * @param streamed the result goes through a pipe to one reader instead of a kept file
 * @param keepResult keep the result file for the result TTL (asynchronous and idempotent runs)
 * @param deadline when a synchronous caller stops waiting (queue time counts); null if async
 */
public record Submission(
    Workload workload,
    String idempotencyKey,
    String bodyHash,
    boolean streamed,
    boolean keepResult,
    Instant deadline) {

  /** The key as stored: a key belongs to the principal that sent it. Null without a key. */
  String claimKey() {
    return idempotencyKey == null ? null : workload.principal() + "\n" + idempotencyKey;
  }
}
