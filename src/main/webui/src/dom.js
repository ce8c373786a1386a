// Small DOM helpers: elements built from data, never from HTML strings (a table or column name is
// text, whatever it holds).
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "class") node.className = value;
    else if (name.startsWith("on") && typeof value === "function") node.addEventListener(name.slice(2), value);
    else if (value === true) node.setAttribute(name, "");
    else node.setAttribute(name, value);
  }
  append(node, children);
  return node;
}

function append(node, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(node, child);
    else node.append(child instanceof Node ? child : String(child));
  }
}

export function clear(node, ...children) {
  node.replaceChildren();
  append(node, children);
  return node;
}

/** A cell's text: JSON values as the API sends them (nested ones as JSON). */
export function cellText(value) {
  if (value === null || value === undefined) return "null";
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

/**
 * The rows as a grid, a page at a time: a header per column with its type, and the page's rows.
 */
export function grid(columns, types, rows, { pageSize = 100, label = "Result" } = {}) {
  const wrap = el("div", { class: "grid" });
  let page = 0;
  const pages = Math.max(1, Math.ceil(rows.length / pageSize));
  const status = el("span", { "aria-live": "polite" });
  const prev = el("button", { type: "button", onclick: () => show(page - 1) }, "Previous page");
  const next = el("button", { type: "button", onclick: () => show(page + 1) }, "Next page");
  const table = el("table", { "aria-label": label });
  const head = el(
    "tr",
    {},
    columns.map((name, i) =>
      el("th", { scope: "col" }, el("span", { class: "col-name" }, name), el("span", { class: "col-type" }, types[i] || "")),
    ),
  );
  const body = el("tbody");
  table.append(el("thead", {}, head), body);
  function show(p) {
    page = Math.max(0, Math.min(pages - 1, p));
    const from = page * pageSize;
    clear(
      body,
      rows.slice(from, from + pageSize).map((row) =>
        el("tr", {}, row.map((value) => el("td", { class: value === null ? "null" : typeof value === "number" ? "num" : null }, cellText(value)))),
      ),
    );
    status.textContent = rows.length
      ? `Rows ${from + 1}–${Math.min(rows.length, from + pageSize)} of ${rows.length}`
      : "No rows";
    prev.disabled = page === 0;
    next.disabled = page >= pages - 1;
  }
  show(0);
  wrap.append(el("div", { class: "scroll" }, table));
  if (pages > 1) wrap.append(el("div", { class: "pager" }, prev, status, next));
  else wrap.append(el("div", { class: "pager" }, status));
  return wrap;
}

/**
 * An error envelope as the user reads it: its code, where in their source (line and column, from
 * diagnostics), its sentence, the trimmed traceback, and its run.
 */
export function errorBox(b) {
  const d = b.diagnostics || {};
  const where = d.line ? `line ${d.line}${d.column ? `, column ${d.column}` : ""}` : null;
  return el(
    "div",
    { class: "error", role: "alert", id: "error" },
    el("p", {}, el("strong", { id: "error-code" }, b.error_code || "ERROR"), where ? el("span", { id: "error-where" }, ` at ${where}`) : null),
    el("p", { id: "error-message" }, b.error),
    b.details ? el("details", {}, el("summary", {}, "Details"), el("pre", {}, b.details)) : null,
    b.run_id ? el("p", {}, "Run ", el("a", { href: `#/runs/${b.run_id}` }, b.run_id)) : null,
  );
}

/** A failure's sentence in a paragraph screen readers announce. */
export function errorNote(message) {
  return el("p", { class: "error", role: "alert" }, message);
}

/** "1 row", "3 rows". */
export function count(n, word) {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

export function when(iso) {
  return iso ? new Date(iso).toLocaleString() : "";
}

export function duration(ms) {
  if (ms === null || ms === undefined) return "";
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}
