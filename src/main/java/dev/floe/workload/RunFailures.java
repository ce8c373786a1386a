package dev.floe.workload;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.floe.error.Diagnostics;
import dev.floe.error.ErrorCode;
import dev.floe.error.FloeException;
import dev.floe.results.ArrowStreams;
import dev.floe.sandbox.RunFiles;
import dev.floe.sandbox.RunJob;
import dev.floe.sandbox.RunnerExit;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Turns a failed harness process into the client's error. The error file is written from inside the
 * run, so it is trusted for nothing but this run's own message: codes outside the harness's set and
 * oversized text are not taken as given.
 */
final class RunFailures {
  private static final Set<ErrorCode> HARNESS_CODES =
      EnumSet.of(
          ErrorCode.SCRIPT_SYNTAX,
          ErrorCode.SQL_SYNTAX,
          ErrorCode.SCRIPT_ERROR,
          ErrorCode.QUERY_ERROR,
          ErrorCode.RESULT_NOT_ASSIGNED,
          ErrorCode.RESULT_WRONG_TYPE,
          ErrorCode.TABLE_NOT_FOUND,
          ErrorCode.NAMESPACE_NOT_FOUND,
          ErrorCode.TABLE_UNREADABLE,
          ErrorCode.OUT_OF_MEMORY,
          ErrorCode.PLAN_NOT_DISTRIBUTABLE,
          ErrorCode.INTERNAL);

  /**
   * What the trusted dispatcher may report: it is Floe's own code, writing where no run ever could,
   * so it may also say the engine is unavailable or the result too large (codes a run's own error
   * file is never believed on).
   */
  private static final Set<ErrorCode> DISPATCHER_CODES =
      EnumSet.of(
          ErrorCode.PLAN_NOT_DISTRIBUTABLE,
          ErrorCode.DISTRIBUTED_UNAVAILABLE,
          ErrorCode.LIMIT_EXCEEDED,
          ErrorCode.QUERY_ERROR,
          ErrorCode.SCRIPT_ERROR,
          ErrorCode.INTERNAL);

  private static final int MAX_MESSAGE = 4_000;

  /**
   * The harness's error file is a few KB; one larger than this was not written by the harness and
   * is not parsed (a run could otherwise make the service parse gigabytes of JSON).
   */
  static final long MAX_ERROR_FILE_BYTES = 1L << 20;

  private static final int MAX_DETAILS = 32_000;

  private RunFailures() {}

  static FloeException classify(
      RunnerExit process, Path errorFile, RunLimits limits, ObjectMapper json) {
    if (process.hit().oomKilled()) {
      return outOfMemory(limits);
    }
    if (process.hit().pidsLimitHit()) {
      return new FloeException(
          ErrorCode.SCRIPT_ERROR,
          "The run hit its limit on processes and threads and failed; start fewer processes or"
              + " threads (Polars parallelises on its own).");
    }
    if (process.timedOut()) {
      return new FloeException(
          ErrorCode.TIMEOUT,
          "The run did not finish within its time limit of "
              + limits.timeout().toSeconds()
              + " s"
              + (limits.queued().toSeconds() >= 1
                  ? " (" + limits.queued().toSeconds() + " s of it waiting for a free runner)"
                  : "")
              + " and was stopped; filter or aggregate earlier to make it cheaper, or raise"
              + " limits.timeoutSeconds.");
    }
    if (process.hit().fileSizeLimitBytes() > 0) {
      // The harness reports the failed write as its own internal error: the limit is the cause.
      long mb = process.hit().fileSizeLimitBytes() / (1024 * 1024);
      return new FloeException(
          ErrorCode.LIMIT_EXCEEDED,
          "The run's result reached this server's limit of "
              + mb
              + " MB for a file written by a run (floe.sandbox.max-result-file-mb) and was"
              + " stopped; aggregate or filter the result, or select fewer columns.");
    }
    if (RunFiles.isPlainFile(errorFile) && size(errorFile) <= MAX_ERROR_FILE_BYTES) {
      FloeException reported = fromErrorFile(errorFile, limits, json, HARNESS_CODES);
      if (reported != null) {
        return reported;
      }
    }
    int exit = process.exitCode();
    // Without a memory cgroup, the address-space limit makes Polars' allocator abort with this.
    if (process.logs().contains("memory allocation of")) {
      return outOfMemory(limits);
    }
    // The run used up its open files, so the harness could not even open its error file.
    if (process.logs().contains("[Errno 24] Too many open files")) {
      return new FloeException(
          ErrorCode.SCRIPT_ERROR,
          "The run opened more files than a run may hold open at once ("
              + RunJob.OPEN_FILES
              + " per process) and failed; close files when done with them (use `with open(...)`).");
    }
    if (exit == RunnerExit.LOST) {
      return new FloeException(
          ErrorCode.INTERNAL,
          "The run's sandbox went away before the run ended (a run pod evicted, its node lost, or"
              + " killed by the cluster at its memory limit); nothing was saved. Run it again, and"
              + " tell the operator if it keeps happening.");
    }
    if (exit > 128) {
      return new FloeException(
          ErrorCode.SCRIPT_ERROR,
          "The run crashed with signal "
              + (exit - 128)
              + " ("
              + signalName(exit - 128)
              + ") before producing a result; check the script's use of native code, os.kill or"
              + " os.abort.");
    }
    return new FloeException(
        ErrorCode.SCRIPT_ERROR,
        "The run exited with status "
            + exit
            + " before producing a result; remove the call that exits early (os._exit) and"
            + " assign `result` instead.");
  }

  private static long size(Path file) {
    try {
      return java.nio.file.Files.size(file);
    } catch (IOException e) {
      return Long.MAX_VALUE;
    }
  }

  static FloeException outOfMemory(RunLimits limits) {
    return new FloeException(
        ErrorCode.OUT_OF_MEMORY,
        "The run ran out of memory at its limit of "
            + limits.memoryMb()
            + " MB; select fewer columns, filter earlier, or raise limits.memoryMb.");
  }

  /** How a dispatch failed, from the dispatcher's error file (null: it wrote none usable). */
  static FloeException fromDispatcher(Path errorFile, RunLimits limits, ObjectMapper json) {
    return RunFiles.isPlainFile(errorFile) && size(errorFile) <= MAX_ERROR_FILE_BYTES
        ? fromErrorFile(errorFile, limits, json, DISPATCHER_CODES)
        : null;
  }

  private static FloeException fromErrorFile(
      Path errorFile, RunLimits limits, ObjectMapper json, Set<ErrorCode> accepted) {
    JsonNode error;
    try {
      error = json.readTree(errorFile.toFile());
    } catch (IOException e) {
      return null;
    }
    ErrorCode code;
    try {
      code = ErrorCode.valueOf(error.path("error_code").asText());
    } catch (IllegalArgumentException e) {
      return null;
    }
    if (!accepted.contains(code)) {
      return null;
    }
    if (code == ErrorCode.OUT_OF_MEMORY) {
      return outOfMemory(limits);
    }
    String message = clip(error.path("message").asText("The run failed."), MAX_MESSAGE);
    JsonNode detailsNode = error.get("details");
    String details =
        detailsNode == null || detailsNode.isNull()
            ? null
            : clip(detailsNode.asText(), MAX_DETAILS);
    return new FloeException(code, message, details, diagnostics(error.path("diagnostics")));
  }

  private static Diagnostics diagnostics(JsonNode node) {
    if (!node.isObject()) {
      return null;
    }
    List<Diagnostics.Frame> frames = new ArrayList<>();
    for (JsonNode f : node.path("frames")) {
      if (frames.size() >= 50) {
        break;
      }
      frames.add(
          new Diagnostics.Frame(
              clip(f.path("file").asText(null), 500),
              f.hasNonNull("line") ? f.get("line").asInt() : null,
              clip(f.path("function").asText(null), 500),
              clip(f.path("text").asText(null), 1000)));
    }
    return new Diagnostics(
        node.hasNonNull("line") ? node.get("line").asInt() : null,
        node.hasNonNull("column") ? node.get("column").asInt() : null,
        frames,
        clip(node.path("hint").asText(null), MAX_MESSAGE));
  }

  private static String clip(String s, int max) {
    return s == null || s.length() <= max ? s : s.substring(0, max) + " …";
  }

  private static String signalName(int signal) {
    return switch (signal) {
      case 6 -> "SIGABRT";
      case 9 -> "SIGKILL";
      case 11 -> "SIGSEGV";
      case 15 -> "SIGTERM";
      case 24 -> "SIGXCPU";
      case 25 -> "SIGXFSZ";
      default -> "signal " + signal;
    };
  }

  /**
   * The summary of a run's result file, which must be one whole Arrow stream: a run that ended well
   * and left anything else wrote the file itself.
   *
   * @param logs the run's log, kept with the failure
   */
  static ArrowStreams.Summary wholeResult(Path result, String logs) {
    ArrowStreams.Summary summary;
    try {
      summary = ArrowStreams.summarize(result);
    } catch (IOException e) {
      summary = new ArrowStreams.Summary(0, false);
    }
    if (!summary.complete()) {
      throw new RunFailedException(
          new FloeException(
              ErrorCode.RESULT_WRONG_TYPE,
              "The run's result file is not a complete Arrow stream; assign `result` a polars"
                  + " LazyFrame or DataFrame and leave the run's output files to Floe."),
          logs);
    }
    return summary;
  }
}
