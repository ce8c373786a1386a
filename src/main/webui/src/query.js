// The Query screen: the table picker, the editor (SQL or a Python script with params), Run,
// Explain, Save, and the answer: a grid, an explain tree, or the error at the user's line.
import { ApiError, ARROW, POLARS, RUNS, RawJson, json, request } from "./api.js";
import { createEditor } from "./editor.js";
import { clear, count, el, errorBox, grid } from "./dom.js";
import { explainView, profileTable } from "./explain.js";
import { tablePicker } from "./tables.js";

const EXAMPLE_SQL = "SELECT species, COUNT(*) AS n, AVG(petal_length) AS avg_petal_length\nFROM flowers\nGROUP BY species\nORDER BY species";
const EXAMPLE_SCRIPT =
  'lf = scan("default.flowers")\nresult = lf.filter(pl.col("petal_length") > params.get("min_petal", 0)).head(params.get("limit", 10))\n';

/** What the screen keeps while the tab lives: switching screens does not lose the work. */
const state = {
  mode: "query",
  query: EXAMPLE_SQL,
  script: EXAMPLE_SCRIPT,
  params: '{"min_petal": 5, "limit": 5}',
  bindings: [{ alias: "flowers", table: "default.flowers" }],
  catalog: null,
};

/** Puts a run's request into the editor (the Query screen shows it next); `params` as JSON text. */
export function openInEditor(mode, source, tables, params, catalog) {
  state.mode = mode;
  state.catalog = catalog;
  state[mode] = source;
  state.bindings = tables.map((t) => {
    const [alias, pinned] = t.split("=");
    const [table, snapshotId] = pinned.split("@");
    return snapshotId ? { alias, table, snapshotId } : { alias, table };
  });
  if (params) state.params = params;
}

export function queryScreen(main) {
  const editorBox = el("div", { class: "editor", id: "editor" });
  const output = el("section", { id: "output", class: "output", "aria-live": "polite", "aria-label": "Answer" });
  const bindingList = el("ul", { class: "bindings", id: "bindings", "aria-label": "Table bindings" });
  const paramsBox = el("textarea", { id: "params", rows: 3, spellcheck: "false", "aria-describedby": "params-help" });
  paramsBox.value = state.params;
  paramsBox.addEventListener("input", () => (state.params = paramsBox.value));
  const paramsRow = el(
    "div",
    { class: "params", id: "params-row" },
    el("label", { for: "params" }, "params (JSON object)"),
    paramsBox,
    el("small", { id: "params-help" }, "The script reads them as the params dict."),
  );
  const modeQuery = el("input", { type: "radio", name: "mode", id: "mode-query", value: "query" });
  const modeScript = el("input", { type: "radio", name: "mode", id: "mode-script", value: "script" });
  const destination = el("input", { id: "destination", placeholder: "namespace.table", spellcheck: "false" });
  const saveMode = el("select", { id: "save-mode" }, el("option", { value: "overwrite" }, "overwrite"), el("option", { value: "append" }, "append"));
  const schemaMode = el(
    "select",
    { id: "schema-mode" },
    el("option", { value: "strict" }, "strict"),
    el("option", { value: "merge" }, "merge"),
    el("option", { value: "overwrite" }, "overwrite"),
  );
  const profile = el("input", { type: "checkbox", id: "with-profile" });
  const runButton = el("button", { type: "button", id: "run", class: "primary", onclick: () => run() }, "Run", el("kbd", {}, "Ctrl+Enter"));
  const explainButton = el("button", { type: "button", id: "explain", onclick: () => run({ dryRun: true }) }, "Explain");
  const saveButton = el("button", { type: "button", id: "save", onclick: () => run({ save: true }) }, "Save");
  const backgroundButton = el(
    "button",
    { type: "button", id: "run-background", onclick: () => runInBackground(), title: "Submit the run and follow it on its page: its logs as they grow, cancel" },
    "Run in background",
  );
  const downloads = el(
    "div",
    { class: "downloads", role: "group", "aria-label": "Download the whole result" },
    el("span", {}, "Download:"),
    el("button", { type: "button", id: "download-arrow", onclick: () => saveAs("arrow") }, "Arrow"),
    el("button", { type: "button", id: "download-csv", onclick: () => saveAs("csv") }, "CSV"),
    el("button", { type: "button", id: "download-parquet", onclick: () => saveAs("parquet") }, "Parquet"),
  );

  const editor = createEditor(editorBox, { doc: state[state.mode], label: "Query editor", onRun: () => run() });
  editor.view.dom.addEventListener("input", () => (state[state.mode] = editor.text()));

  function setMode(mode) {
    state[state.mode] = editor.text();
    state.mode = mode;
    modeQuery.checked = mode === "query";
    modeScript.checked = mode === "script";
    editor.setText(state[mode]);
    editor.setLanguage(mode === "script" ? "python" : "sql");
    editor.view.contentDOM.setAttribute("aria-label", mode === "script" ? "Script editor (Python)" : "Query editor (Polars SQL)");
    paramsRow.hidden = mode !== "script";
  }
  modeQuery.addEventListener("change", () => setMode("query"));
  modeScript.addEventListener("change", () => setMode("script"));

  function showBindings() {
    clear(
      bindingList,
      state.bindings.map((b, i) =>
        el(
          "li",
          {},
          el("code", {}, `${b.alias}=${b.table}${b.snapshotId ? `@${b.snapshotId}` : ""}`),
          el(
            "button",
            {
              type: "button",
              class: "quiet",
              "aria-label": `Remove binding ${b.alias}`,
              onclick: () => {
                state.bindings.splice(i, 1);
                showBindings();
              },
            },
            "×",
          ),
        ),
      ),
    );
    if (!state.bindings.length) bindingList.append(el("li", { class: "hint" }, "No tables bound: pick one on the left."));
  }

  function bind(table) {
    if (!state.bindings.some((b) => b.table === table && !b.snapshotId)) {
      // The table's name, or with a number when another table of that name is bound already.
      const base = table.split(".").pop().replace(/[^A-Za-z0-9_]/g, "_");
      let alias = base;
      for (let n = 2; state.bindings.some((b) => b.alias === alias); n++) alias = `${base}_${n}`;
      state.bindings.push({ alias, table });
    }
    showBindings();
    editor.focus();
  }

  /** The request this screen would send. */
  function body(extra = {}) {
    state[state.mode] = editor.text();
    const b = {
      mode: state.mode,
      tables: state.bindings.map((x) => (x.snapshotId ? { alias: x.alias, table: x.table, snapshotId: x.snapshotId } : `${x.alias}=${x.table}`)),
    };
    if (state.catalog) b.catalog = state.catalog;
    if (state.mode === "query") b.query = state.query;
    else {
      b.script = state.script;
      const text = state.params.trim();
      if (text) {
        let params;
        try {
          params = JSON.parse(text);
        } catch (e) {
          throw new ApiError(400, { error: `params is not valid JSON (${e.message}); write a JSON object such as {"limit": 5}.`, error_code: "INVALID_REQUEST" });
        }
        if (params === null || typeof params !== "object" || Array.isArray(params)) {
          throw new ApiError(400, { error: 'params must be a JSON object such as {"limit": 5}.', error_code: "INVALID_REQUEST" });
        }
        b.params = new RawJson(text); // as written: a number past 2^53 stays exact
      }
    }
    return Object.assign(b, extra);
  }

  let focusedBeforeBusy = null;
  function busy(on) {
    const buttons = [runButton, explainButton, saveButton, backgroundButton];
    if (on) focusedBeforeBusy = document.activeElement;
    for (const b of buttons) b.disabled = on;
    output.setAttribute("aria-busy", on ? "true" : "false");
    // A disabled button loses the focus: give it back to where the user was.
    if (!on && buttons.includes(focusedBeforeBusy) && focusedBeforeBusy.isConnected) focusedBeforeBusy.focus();
  }

  /**
   * Builds the request (with {@code extra} fields) and hands it to {@code work} with the buttons
   * held; a request that cannot be built, or a failed call, shows its error.
   */
  async function send(extra, work) {
    editor.clearError();
    let payload;
    try {
      payload = body(extra());
    } catch (e) {
      showError(e);
      return;
    }
    busy(true);
    try {
      await work(payload);
    } catch (e) {
      showError(e);
    } finally {
      busy(false);
    }
  }

  function run({ dryRun = false, save = false } = {}) {
    const extra = () => {
      const x = {};
      if (dryRun) x.dryRun = true;
      else if (profile.checked) x.profile = true;
      if (save || (dryRun && destination.value.trim())) {
        if (!destination.value.trim()) throw new ApiError(400, { error: "Name the table to save into (namespace.table), then Save again.", error_code: "INVALID_REQUEST" });
        x.destination = destination.value.trim();
        x.saveMode = saveMode.value;
        x.schemaMode = schemaMode.value;
      }
      return x;
    };
    return send(extra, async (payload) => {
      clear(output, el("p", { class: "working" }, dryRun ? "Planning…" : "Running…"));
      const started = performance.now();
      const answer = await json("POST", POLARS, { body: payload });
      if (answer.dry_run) clear(output, explainView(answer));
      else showResult(answer, Math.round(performance.now() - started));
    });
  }

  /** Submits the run (POST …/runs) and follows it on its own page. */
  function runInBackground() {
    return send(
      () => ({}),
      async (payload) => {
        const accepted = await json("POST", RUNS, { body: payload });
        location.hash = `#/runs/${accepted.run_id}`;
      },
    );
  }

  function showResult(answer, tookMs) {
    const r = answer.results || { columns: [], column_types: [], rows: [] };
    const facts = el(
      "p",
      { class: "facts", id: "result-facts" },
      el("span", { id: "row-count" }, count(answer.row_count, "row")),
      el("span", {}, `run ${answer.execution_time} (${tookMs} ms here)`),
      el("a", { href: `#/runs/${answer.run_id}`, id: "result-run" }, answer.run_id),
    );
    const parts = [facts];
    if (answer.truncated) {
      parts.push(el("p", { class: "note" }, `Showing the first ${r.rows.length} rows: the Download buttons fetch the whole result.`));
    }
    if (answer.saved) {
      parts.push(
        el(
          "p",
          { class: "saved", id: "saved" },
          `Saved ${answer.saved.rows_written} rows into ${answer.saved.table} (${answer.saved.mode}); new snapshot `,
          el("code", { id: "saved-snapshot" }, answer.saved.snapshot_id),
        ),
      );
    }
    parts.push(grid(r.columns, r.column_types, r.rows, { label: "Result rows" }));
    if (answer.profile) parts.push(profileTable(answer.profile));
    if (answer.logs) parts.push(el("details", {}, el("summary", {}, "Output of the run"), el("pre", { class: "logs" }, answer.logs)));
    clear(output, ...parts);
  }

  function showError(e) {
    const b = e instanceof ApiError ? { ...e.body, error: e.message } : { error: String(e.message || e) };
    const d = b.diagnostics || {};
    if (d.line) editor.markError(d.line, d.column);
    clear(output, errorBox(b));
  }

  /** The whole result, fetched as the Arrow stream, saved as {@code format}. */
  function saveAs(format) {
    return send(
      () => ({}),
      async (payload) => {
        const response = await request("POST", POLARS, { body: payload, accept: ARROW });
        await (await import("./download.js")).download(response, format, "floe-result");
      },
    );
  }

  const picker = tablePicker({ chosen: state.catalog, onBind: bind, onCatalog: (c) => (state.catalog = c) });
  clear(
    main,
    el(
      "div",
      { class: "query-screen" },
      el("aside", { class: "tables", "aria-label": "Tables" }, picker),
      el(
        "section",
        { class: "work", "aria-label": "Workload" },
        el(
          "div",
          { class: "toolbar" },
          el("fieldset", { class: "modes" }, el("legend", {}, "Mode"), modeQuery, el("label", { for: "mode-query" }, "SQL query"), modeScript, el("label", { for: "mode-script" }, "Python script")),
          bindingList,
        ),
        editorBox,
        paramsRow,
        el(
          "details",
          { class: "save-options", id: "save-options" },
          el("summary", {}, "Save the result into a table"),
          el("div", { class: "row" }, el("label", { for: "destination" }, "Destination"), destination, el("label", { for: "save-mode" }, "Save mode"), saveMode, el("label", { for: "schema-mode" }, "Schema mode"), schemaMode),
        ),
        el("div", { class: "actions" }, runButton, explainButton, saveButton, backgroundButton, el("span", { class: "check" }, profile, el("label", { for: "with-profile" }, "Profile")), downloads),
        output,
      ),
    ),
  );
  setMode(state.mode);
  showBindings();
  editor.focus();
}
