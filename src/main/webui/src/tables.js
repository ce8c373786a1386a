// The table picker: the caller's catalogs, namespaces and tables from the catalog API; a table
// opened shows its columns with their types and its snapshots, and binds as alias=ns.table.
import { json } from "./api.js";
import { clear, count, el, errorNote, when } from "./dom.js";

const CATALOGS = "/api/v1/catalogs";

/**
 * @param chosen the catalog picked before (null: the server's default, which requests then omit)
 * @param onCatalog called with the catalog requests name (null for the default)
 */
export function tablePicker({ chosen, onBind, onCatalog }) {
  const root = el("div", { class: "picker" });
  const tree = el("div", { id: "table-tree" });
  const select = el("select", { id: "catalog" });
  root.append(el("h2", {}, "Tables"), el("label", { for: "catalog" }, "Catalog"), select, tree);

  async function load() {
    clear(tree, el("p", { class: "working" }, "Loading…"));
    try {
      const catalogs = (await json("GET", CATALOGS)).registeredCatalogs;
      if (!catalogs.length) {
        clear(tree, el("p", { class: "hint" }, "No catalog is visible to you: ask an admin for a grant."));
        return;
      }
      const fallback = catalogs.find((c) => c.default) || catalogs[0];
      const current = catalogs.find((c) => c.name === chosen) || fallback;
      clear(
        select,
        catalogs.map((c) => el("option", { value: c.name, selected: c === current }, c.default ? `${c.name} (default)` : c.name)),
      );
      select.onchange = () => show(catalogs.find((c) => c.name === select.value));
      await show(current);
    } catch (e) {
      clear(tree, errorNote(e.message));
    }
  }

  async function show(catalog) {
    onCatalog(catalog.default ? null : catalog.name);
    try {
      await showCatalog(catalog.name);
    } catch (e) {
      clear(tree, errorNote(e.message));
    }
  }

  /** Loads a folded entry's content the first time it is opened (once, however fast it is toggled). */
  function onFirstOpen(details, load) {
    let loading = null;
    details.addEventListener("toggle", () => {
      if (details.open && !loading) {
        loading = load().catch((e) => {
          loading = null;
          details.append(errorNote(e.message));
        });
      }
    });
  }

  async function showCatalog(catalog) {
    const base = `${CATALOGS}/${encodeURIComponent(catalog)}/namespaces`;
    const { namespaces } = await json("GET", base);
    clear(
      tree,
      el(
        "ul",
        { class: "tree" },
        namespaces.map((ns) => {
          const list = el("ul");
          const item = el("details", { class: "ns" }, el("summary", {}, ns), list);
          onFirstOpen(item, async () => {
            const { tables } = await json("GET", `${base}/${encodeURIComponent(ns)}/tables`);
            clear(list, tables.length ? tables.map((t) => tableItem(base, ns, t.table)) : el("li", { class: "hint" }, "no tables"));
          });
          return el("li", {}, item);
        }),
      ),
    );
  }

  function tableItem(base, ns, table) {
    const name = `${ns}.${table}`;
    const info = el("div", { class: "table-info" });
    const item = el(
      "details",
      { class: "table", "data-table": name },
      el("summary", {}, table),
      el("button", { type: "button", class: "bind", "aria-label": `Bind ${name}`, onclick: () => onBind(name) }, "Bind"),
      info,
    );
    onFirstOpen(item, async () => {
      const meta = (await json("GET", `${base}/${encodeURIComponent(ns)}/tables/${encodeURIComponent(table)}`)).table;
      const schema = meta.schemas.find((s) => s["schema-id"] === meta["current-schema-id"]) || meta.schemas[0];
      const snapshots = meta.snapshots || [];
      clear(
        info,
        el(
          "table",
          { class: "columns", "aria-label": `Columns of ${name}` },
          el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "column"), el("th", { scope: "col" }, "type"))),
          el("tbody", {}, schema.fields.map((f) => el("tr", {}, el("td", {}, f.name), el("td", { class: "col-type" }, typeName(f.type))))),
        ),
        el(
          "p",
          { class: "snapshots" },
          count(snapshots.length, "snapshot"),
          meta["current-snapshot-id"] ? el("span", {}, "; current ", el("code", {}, String(meta["current-snapshot-id"]))) : null,
        ),
        snapshots.length
          ? el(
              "ul",
              { class: "snapshot-list" },
              snapshots
                .slice(-5)
                .reverse()
                .map((s) => el("li", {}, el("code", {}, String(s["snapshot-id"])), ` ${(s.summary || {}).operation || ""} ${when(new Date(Number(s["timestamp-ms"])).toISOString())}`)),
            )
          : null,
      );
    });
    return el("li", {}, item);
  }

  load();
  return root;
}

function typeName(type) {
  if (typeof type === "string") return type;
  if (type.type === "list") return `list<${typeName(type.element)}>`;
  if (type.type === "map") return `map<${typeName(type.key)}, ${typeName(type.value)}>`;
  if (type.type === "struct") return `struct<${type.fields.map((f) => `${f.name}: ${typeName(f.type)}`).join(", ")}>`;
  return JSON.stringify(type);
}
