package dev.floe.sandbox;

import java.io.IOException;

/** The run's budget cannot even hold a runner that has not started the run yet. */
public final class RunnerBudgetException extends IOException {
  RunnerBudgetException(String runner, RunBudget budget, IOException cause) {
    super(
        "runner " + runner + " uses more than the run's " + budget.memoryBytes() + " bytes", cause);
  }
}
