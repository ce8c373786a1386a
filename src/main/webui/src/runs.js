// The Runs screen (the list, refreshed while it is shown) and one run's page: its request as
// recorded, its logs following as they grow, cancel, its outcome and its result.
import { ARROW, ApiError, RUNS, exactJson, json, parseExact, request, text } from "./api.js";
import { clear, count, duration, el, errorBox, errorNote, grid, when } from "./dom.js";
import { openInEditor } from "./query.js";
import { profileTable } from "./explain.js";

const REFRESH_MS = 2000;
const STATUSES = ["", "queued", "running", "succeeded", "failed", "cancelled"];

export function runsScreen(main) {
  const filter = el("select", { id: "status-filter" }, STATUSES.map((s) => el("option", { value: s }, s || "all")));
  const body = el("tbody", { id: "runs-body" });
  const note = el("p", { class: "facts", "aria-live": "polite", id: "runs-note" });
  let timer = null;
  let stopped = false;
  // Each refresh's generation: an answer to an older one (the filter changed meanwhile) is dropped.
  let generation = 0;

  async function refresh() {
    const mine = ++generation;
    clearTimeout(timer);
    try {
      const query = new URLSearchParams({ limit: "100" });
      if (filter.value) query.set("status", filter.value);
      const { runs } = await json("GET", `${RUNS}?${query}`);
      if (mine !== generation) return;
      clear(
        body,
        runs.map((r) =>
          el(
            "tr",
            { "data-run": r.run_id, class: r.status },
            el("td", {}, el("a", { href: `#/runs/${r.run_id}` }, r.run_id)),
            el("td", {}, el("span", { class: `status ${r.status}` }, r.status)),
            el("td", {}, r.principal || ""),
            el("td", {}, r.mode),
            el("td", {}, when(r.created_at)),
            el("td", { class: "num" }, duration(r.elapsed_ms)),
            el("td", {}, r.error ? r.error.error_code : ""),
          ),
        ),
      );
      note.textContent = `${count(runs.length, "run")}, refreshed ${new Date().toLocaleTimeString()}`;
    } catch (e) {
      if (mine !== generation) return;
      note.textContent = e.message;
      if (e instanceof ApiError && (e.status === 401 || e.status === 403)) return; // until a key
    }
    if (!stopped) timer = setTimeout(refresh, REFRESH_MS);
  }
  filter.addEventListener("change", () => refresh());

  clear(
    main,
    el(
      "section",
      { class: "runs", "aria-label": "Runs" },
      el("h1", {}, "Runs"),
      el("div", { class: "toolbar" }, el("label", { for: "status-filter" }, "Status"), filter, note),
      el(
        "table",
        { class: "run-list", "aria-label": "Runs, newest first" },
        el("thead", {}, el("tr", {}, ["run", "status", "who", "mode", "created", "duration", "error"].map((h) => el("th", { scope: "col" }, h)))),
        body,
      ),
    ),
  );
  refresh();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

export function runScreen(main, runId) {
  const head = el("div", { class: "run-head" });
  const logs = el("pre", { class: "logs", id: "run-logs", "aria-live": "off", tabindex: "0", "aria-label": "Logs" });
  const logState = el("p", { class: "facts", id: "logs-state" });
  const outcome = el("section", { id: "run-outcome", "aria-live": "polite", "aria-label": "Outcome" });
  const asked = el("section", { id: "run-request", "aria-label": "Request" });
  const cancel = el("button", { type: "button", id: "cancel", onclick: () => doCancel() }, "Cancel run");
  let after = 0;
  let timer = null;
  let stopped = false;
  let shownFinal = false;

  async function poll() {
    try {
      const body = await text("GET", `${RUNS}/${encodeURIComponent(runId)}`);
      const run = parseExact(body);
      showHead(run);
      if (!asked.childElementCount) showRequest(run, exactJson(body, (r) => r.request?.params));
      const slice = await json("GET", `${RUNS}/${encodeURIComponent(runId)}/logs?after=${after}`);
      if (slice.logs) {
        // Follow the end unless the reader scrolled up to read.
        const atEnd = logs.scrollTop + logs.clientHeight >= logs.scrollHeight - 4;
        logs.append(slice.logs);
        if (atEnd) logs.scrollTop = logs.scrollHeight;
      }
      after = slice.next;
      logState.textContent = slice.complete ? "Logs complete." : "Following the logs…";
      const final = ["succeeded", "failed", "cancelled"].includes(run.status);
      if (final && slice.complete) {
        if (!shownFinal) {
          shownFinal = true;
          await showOutcome(run);
        }
        return;
      }
    } catch (e) {
      clear(outcome, errorNote(e.message));
      if (e instanceof ApiError && [401, 403, 404].includes(e.status)) return;
    }
    if (!stopped) timer = setTimeout(poll, 500);
  }

  // The header is built once and its values updated in place: the Cancel button keeps the focus.
  const FACTS = ["status", "who", "mode", "catalog", "destination", "created", "started", "finished", "duration", "rows", "trace"];
  const values = Object.fromEntries(FACTS.map((k) => [k, el("dd", { id: k === "status" ? "run-status" : null })]));
  const rows = Object.fromEntries(FACTS.map((k) => [k, [el("dt", {}, k), values[k]]]));
  clear(head, el("h1", {}, "Run ", el("code", {}, runId)), el("dl", { class: "facts-list" }, FACTS.map((k) => rows[k])), cancel);

  function showHead(run) {
    cancel.hidden = !["queued", "running"].includes(run.status);
    const now = {
      status: run.status,
      who: run.principal,
      mode: run.mode,
      catalog: run.catalog || "default",
      destination: run.destination,
      created: when(run.created_at),
      started: when(run.started_at),
      finished: when(run.finished_at),
      duration: duration(run.elapsed_ms),
      rows: run.row_count,
      trace: run.trace_id,
    };
    for (const k of FACTS) {
      const v = now[k] === null || now[k] === undefined ? "" : String(now[k]);
      if (values[k].textContent !== v) values[k].textContent = v;
      for (const node of rows[k]) node.hidden = v === "";
    }
    values.status.className = `status ${run.status}`;
  }

  function showRequest(run, params) {
    const r = run.request;
    if (!r) {
      clear(asked, el("h2", {}, "Request"), el("p", { class: "note" }, "This run was recorded before requests were kept."));
      return;
    }
    const source = r.query ?? r.script;
    clear(
      asked,
      el("h2", {}, "Request"),
      el("p", { class: "facts" }, r.query !== undefined ? "SQL query" : "Python script", r.tables.length ? el("span", {}, "tables: ", r.tables.map((t) => el("code", {}, t, " "))) : null),
      el("pre", { class: "source", id: "run-source" }, source),
      params ? el("p", {}, "params ", el("code", { id: "run-params" }, params)) : null,
      el(
        "button",
        {
          type: "button",
          id: "open-in-editor",
          onclick: () => {
            openInEditor(run.mode, source, r.tables, params, run.catalog);
            location.hash = "#/query";
          },
        },
        "Open in the editor",
      ),
    );
  }

  async function showOutcome(run) {
    const parts = [];
    if (run.error) parts.push(errorBox(run.error));
    if (run.saved) {
      parts.push(el("p", { class: "saved" }, `Saved ${run.saved.rows_written} rows into ${run.saved.table} (${run.saved.mode}); new snapshot `, el("code", {}, run.saved.snapshot_id)));
    }
    if (run.profile) parts.push(profileTable(run.profile));
    if (run.result_available) {
      try {
        const answer = await json("GET", `${RUNS}/${encodeURIComponent(runId)}/result`);
        const r = answer.results;
        if (r) {
          parts.push(
            el("h2", {}, "Result"),
            el("p", { class: "facts" }, count(answer.row_count, "row")),
            grid(r.columns, r.column_types, r.rows, { label: "Result rows" }),
            el(
              "div",
              { class: "downloads", role: "group", "aria-label": "Download the whole result" },
              el("span", {}, "Download:"),
              ["arrow", "csv", "parquet"].map((f) => el("button", { type: "button", onclick: () => fetchResult(f) }, f === "arrow" ? "Arrow" : f.toUpperCase().replace("PARQUET", "Parquet"))),
            ),
          );
        }
      } catch (e) {
        parts.push(el("p", { class: "note" }, e.message));
      }
    }
    clear(outcome, ...parts);
  }

  async function fetchResult(format) {
    try {
      const response = await request("GET", `${RUNS}/${encodeURIComponent(runId)}/result`, { accept: ARROW });
      await (await import("./download.js")).download(response, format, runId);
    } catch (e) {
      outcome.prepend(errorNote(e.message));
    }
  }

  async function doCancel() {
    cancel.disabled = true;
    try {
      await json("DELETE", `${RUNS}/${encodeURIComponent(runId)}`);
    } catch (e) {
      outcome.prepend(errorNote(e.message));
    } finally {
      cancel.disabled = false;
    }
  }

  clear(
    main,
    el(
      "section",
      { class: "run", "aria-label": `Run ${runId}` },
      el("p", {}, el("a", { href: "#/runs" }, "← All runs")),
      head,
      asked,
      el("h2", {}, "Logs"),
      logState,
      logs,
      outcome,
    ),
  );
  poll();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
