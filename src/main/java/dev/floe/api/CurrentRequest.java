package dev.floe.api;

import dev.floe.workload.Caller;
import dev.floe.workload.Workload;
import jakarta.enterprise.context.RequestScoped;

/**
 * One API request as the filters and resources learn it: who sent it (set by {@link AuthFilter}),
 * and what it asked to run (set by the workload endpoints), for the audit entry written when it is
 * answered.
 */
@RequestScoped
public class CurrentRequest {
  private Caller caller;
  private String remote;
  private Workload workload;
  private String runId;

  /** The authenticated caller; only resources behind {@link AuthFilter} ask. */
  public Caller caller() {
    if (caller == null) {
      throw new IllegalStateException("no caller: the request did not pass the auth filter");
    }
    return caller;
  }

  Caller callerOrNull() {
    return caller;
  }

  void authenticated(Caller who) {
    this.caller = who;
  }

  /** Where the request came from (known before it is authenticated, so refusals have it too). */
  void from(String address) {
    this.remote = address;
  }

  String remote() {
    return remote;
  }

  /** The request asked to run {@code asked}, as run {@code id} (null until it has one). */
  void running(Workload asked, String id) {
    this.workload = asked;
    this.runId = id;
  }

  Workload workload() {
    return workload;
  }

  String runId() {
    return runId;
  }
}
