// A dry run drawn: the output schema, Polars' optimized plan as a tree, each Iceberg scan with
// what pruning leaves of its snapshot, the total, and a save's verdict.
import { count, el } from "./dom.js";

export function explainView(answer) {
  const d = answer.dry_run;
  const parts = [
    el("h2", {}, "Plan"),
    el(
      "p",
      { class: "facts" },
      el("span", {}, `${count(d.columns.length, "output column")}: `),
      d.columns.map((c, i) => el("span", { class: "col" }, el("code", {}, c), " ", el("span", { class: "col-type" }, d.column_types[i]))),
      el("a", { href: `#/runs/${answer.run_id}` }, answer.run_id),
    ),
    planTree(d.plan),
    el("h2", {}, "Tables read"),
    reads(d),
  ];
  if (d.estimate) {
    parts.push(
      el(
        "p",
        { class: "estimate", id: "estimate" },
        `Estimated input: ${count(d.estimate.data_files, "data file")}, ${bytes(d.estimate.bytes)}, ${Number(d.estimate.records).toLocaleString()} records.`,
      ),
    );
  }
  if (d.save) parts.push(saveVerdict(d.save));
  return el("div", { class: "explain", id: "explain" }, parts);
}

/** Polars' plan text: each node on its line, its inputs indented below it. */
export function planTree(text) {
  const root = { children: [], depth: -1 };
  const stack = [root];
  for (const raw of text.split("\n")) {
    if (!raw.trim()) continue;
    const depth = raw.length - raw.trimStart().length;
    const node = { label: raw.trim(), depth, children: [] };
    while (stack.length > 1 && stack[stack.length - 1].depth >= depth) stack.pop();
    stack[stack.length - 1].children.push(node);
    stack.push(node);
  }
  const render = (nodes, level) =>
    el(
      "ul",
      level === 1 ? { "aria-label": "Optimized plan: each node above its inputs", class: "plan", id: "plan-tree" } : {},
      nodes.map((n) =>
        el(
          "li",
          { class: kind(n.label) },
          el("span", { class: "node" }, n.label),
          n.children.length ? render(n.children, level + 1) : null,
        ),
      ),
    );
  return render(root.children, 1);
}

function kind(label) {
  if (/SCAN/.test(label)) return "scan";
  if (/^(SELECTION|FILTER)/.test(label)) return "filter";
  return null;
}

function reads(d) {
  const rows = (d.reads && d.reads.length ? d.reads : d.tables).map((r) =>
    el(
      "tr",
      {},
      el("td", {}, r.table),
      el("td", {}, el("code", {}, r.snapshot_id || "empty")),
      el("td", {}, r.columns ? r.columns.join(", ") : ""),
      el("td", {}, r.filter ? el("code", {}, r.filter) : ""),
      el("td", { class: "num" }, ofWhole(r.data_files, r.snapshot_data_files, String)),
      el("td", { class: "num" }, ofWhole(r.bytes, r.snapshot_bytes, bytes)),
      el("td", { class: "num" }, ofWhole(r.records, r.snapshot_records, (n) => Number(n).toLocaleString())),
    ),
  );
  return el(
    "table",
    { class: "reads", id: "reads", "aria-label": "Tables read" },
    el(
      "thead",
      {},
      el("tr", {}, ["table", "snapshot", "columns read", "filter pushed down", "data files", "bytes", "records"].map((h) => el("th", { scope: "col" }, h))),
    ),
    el("tbody", {}, rows),
  );
}

/** What pruning leaves "of" the snapshot's whole, each part shown only when known. */
function ofWhole(left, whole, show) {
  if (left === null || left === undefined) return "";
  return whole === null || whole === undefined ? show(left) : `${show(left)} of ${show(whole)}`;
}

function saveVerdict(save) {
  return el(
    "div",
    { class: save.would_save ? "verdict ok" : "verdict refused", id: "save-verdict" },
    el("h2", {}, `Save into ${save.table}`),
    el(
      "p",
      {},
      save.would_save
        ? save.creates_table
          ? "Would pass: the table would be created with these columns."
          : "Would pass: the table would have these columns after the save."
        : `Would be refused (${save.error_code}): ${save.error}`,
    ),
    save.columns && save.columns.length
      ? el("ul", {}, save.columns.map((c) => el("li", {}, el("code", {}, c.name), " ", el("span", { class: "col-type" }, c.type))))
      : null,
    save.differences && save.differences.length
      ? el(
          "table",
          { "aria-label": "Schema differences" },
          el("thead", {}, el("tr", {}, ["column", "difference", "table", "result"].map((h) => el("th", { scope: "col" }, h)))),
          el("tbody", {}, save.differences.map((x) => el("tr", {}, el("td", {}, x.column), el("td", {}, x.problem), el("td", {}, x.table_type || ""), el("td", {}, x.result_type || "")))),
        )
      : null,
  );
}

function bytes(value) {
  const n = Number(value);
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MB`;
  return `${(n / 1024 ** 3).toFixed(2)} GB`;
}

/** A profiled run's plan nodes: each one's time and the rows it received and sent. */
export function profileTable(profile) {
  return el(
    "div",
    { class: "profile", id: "profile" },
    el("h2", {}, `Profile (${profile.total_ms} ms)`),
    el(
      "table",
      { "aria-label": "Time and rows per plan node" },
      el("thead", {}, el("tr", {}, ["node", "time", "rows in", "rows out"].map((h) => el("th", { scope: "col" }, h)))),
      el(
        "tbody",
        {},
        profile.nodes.map((n) => el("tr", {}, el("td", {}, n.node), el("td", { class: "num" }, `${n.time_ms} ms`), el("td", { class: "num" }, n.rows_in ?? ""), el("td", { class: "num" }, n.rows_out ?? ""))),
      ),
    ),
  );
}
