package dev.floe.runs;

import dev.floe.error.ErrorCode;
import dev.floe.error.TryLaterException;

/** Every runner is busy and the queue is full: 429 with a Retry-After estimate. */
public final class BusyException extends TryLaterException {
  BusyException(long retryAfterSeconds, int runners, int queued) {
    super(
        ErrorCode.BUSY,
        "All "
            + runners
            + " runners are busy and "
            + queued
            + " runs are waiting; retry in about "
            + retryAfterSeconds
            + " s (Retry-After), or submit asynchronously.",
        retryAfterSeconds);
  }
}
