// Downloads of a whole result, from the Arrow stream the API sends (not the inline JSON rows):
// as it came (Arrow IPC), or converted here to CSV or Parquet.
import { tableFromIPC, Type } from "apache-arrow";
import { parquetWriteBuffer } from "hyparquet-writer";

export async function download(response, format, name) {
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (format === "arrow") {
    save(new Blob([bytes], { type: "application/vnd.apache.arrow.stream" }), `${name}.arrows`);
    return;
  }
  const table = tableFromIPC(bytes);
  if (format === "csv") {
    save(new Blob([toCsv(table)], { type: "text/csv" }), `${name}.csv`);
  } else {
    save(new Blob([toParquet(table)], { type: "application/vnd.apache.parquet" }), `${name}.parquet`);
  }
}

function save(blob, filename) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A value as text: 64-bit integers exact, dates ISO-8601, nested values as JSON. */
function text(value) {
  if (value === null || value === undefined) return null;
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "object") return JSON.stringify(plain(value));
  return String(value);
}

function plain(value) {
  if (typeof value === "bigint") return value.toString();
  if (value && typeof value.toJSON === "function") return plain(value.toJSON());
  if (Array.isArray(value)) return value.map(plain);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  }
  return value;
}

function toCsv(table) {
  const quote = (s) => (s === null ? "" : /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const names = table.schema.fields.map((f) => f.name);
  const columns = names.map((_, i) => table.getChildAt(i));
  const lines = [names.map(quote).join(",")];
  for (let r = 0; r < table.numRows; r++) {
    lines.push(columns.map((c) => quote(text(c.get(r)))).join(","));
  }
  return lines.join("\n") + "\n";
}

function toParquet(table) {
  const columnData = table.schema.fields.map((field, i) => {
    const vector = table.getChildAt(i);
    const values = [];
    for (let r = 0; r < table.numRows; r++) values.push(vector.get(r));
    switch (field.type.typeId) {
      case Type.Bool:
        return { name: field.name, data: values, type: "BOOLEAN" };
      case Type.Int: {
        const wide = field.type.bitWidth === 64 || (field.type.bitWidth === 32 && !field.type.isSigned);
        return wide
          ? { name: field.name, data: values.map((v) => (v === null ? null : BigInt(v))), type: "INT64" }
          : { name: field.name, data: values, type: "INT32" };
      }
      case Type.Float:
        return { name: field.name, data: values, type: field.type.precision === 1 ? "FLOAT" : "DOUBLE" };
      case Type.Utf8:
      case Type.LargeUtf8:
        return { name: field.name, data: values, type: "STRING" };
      default:
        // dates, times, decimals and nested values: their text, as the CSV has it
        return { name: field.name, data: values.map(text), type: "STRING" };
    }
  });
  return parquetWriteBuffer({ columnData });
}
