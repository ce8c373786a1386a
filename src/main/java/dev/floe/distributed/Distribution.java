package dev.floe.distributed;

/** What a request's {@code distributed} says: false, true or "auto". */
public enum Distribution {
  LOCAL,
  DISTRIBUTED,
  /** The size of the input decides ({@code floe.distributed.auto-threshold-bytes}). */
  AUTO
}
