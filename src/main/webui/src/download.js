// Downloads of a whole result, from the Arrow stream the API sends (not the inline JSON rows):
// as it came (Arrow IPC), or converted here to CSV or Parquet.
import { tableFromIPC, TimeUnit, Type } from "apache-arrow";
import { parquetWriteBuffer } from "hyparquet-writer";
import { asWritten } from "./api.js";

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

/** A value as text: 64-bit integers exact, nested values as JSON. */
function text(value) {
  if (value === null || value === undefined) return null;
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "object") return JSON.stringify(plain(value), exactIntegers);
  return String(value);
}

/** A 64-bit integer in JSON text as its digits. */
function exactIntegers(key, value) {
  return typeof value === "bigint" ? asWritten(value.toString()) : value;
}

function plain(value) {
  if (typeof value === "bigint") return value;
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
  const columns = table.schema.fields.map((field, i) => texts(field, table.getChildAt(i)));
  const lines = [names.map(quote).join(",")];
  for (let r = 0; r < table.numRows; r++) {
    lines.push(columns.map((c) => quote(c[r])).join(","));
  }
  return lines.join("\n") + "\n";
}

const STRING = { type: "BYTE_ARRAY", converted_type: "UTF8" };
// By Arrow's TimeUnit: Parquet's unit (it has no seconds: they are written as milliseconds), and
// the digits of a second each keeps.
const PARQUET_UNIT = { [TimeUnit.SECOND]: "MILLIS", [TimeUnit.MILLISECOND]: "MILLIS", [TimeUnit.MICROSECOND]: "MICROS", [TimeUnit.NANOSECOND]: "NANOS" };
const FRACTION_DIGITS = { [TimeUnit.SECOND]: 0, [TimeUnit.MILLISECOND]: 3, [TimeUnit.MICROSECOND]: 6, [TimeUnit.NANOSECOND]: 9 };

/** Each column in its own Parquet type: dates, timestamps (their unit and zone), times and
 * decimals typed as such, exact; nested values as text, as the CSV has them. */
function toParquet(table) {
  const columnData = [];
  const schema = [{ name: "root", num_children: table.schema.fields.length }];
  table.schema.fields.forEach((field, i) => {
    const vector = table.getChildAt(i);
    const { name, type } = field;
    const typed = (data, element) => {
      columnData.push({ name, data });
      schema.push({ name, repetition_type: "OPTIONAL", ...element });
    };
    switch (type.typeId) {
      case Type.Bool:
        typed(rows(vector), { type: "BOOLEAN" });
        break;
      case Type.Int: {
        const wide = type.bitWidth === 64 || (type.bitWidth === 32 && !type.isSigned);
        if (wide) typed(rows(vector).map((v) => (v === null ? null : BigInt(v))), { type: "INT64" });
        else typed(rows(vector), { type: "INT32" });
        break;
      }
      case Type.Float:
        typed(rows(vector), { type: type.precision === 1 ? "FLOAT" : "DOUBLE" });
        break;
      case Type.Utf8:
      case Type.LargeUtf8:
        typed(rows(vector), STRING);
        break;
      case Type.Date:
        // Days since the epoch, whichever unit Arrow kept them in.
        typed(
          rows(vector).map((ms) => (ms === null ? null : Math.floor(ms / 86_400_000))),
          { type: "INT32", converted_type: "DATE" },
        );
        break;
      case Type.Timestamp: {
        // The stored 64-bit values, exact (a JavaScript number is not, in microseconds or finer).
        typed(
          raw(vector, (values, i) => values[i] * (type.unit === TimeUnit.SECOND ? 1000n : 1n)),
          { type: "INT64", logical_type: { type: "TIMESTAMP", isAdjustedToUTC: Boolean(type.timezone), unit: PARQUET_UNIT[type.unit] } },
        );
        break;
      }
      case Type.Decimal: {
        // Arrow keeps a decimal as a little-endian two's complement integer; Parquet, big-endian.
        const width = type.bitWidth / 8;
        typed(
          raw(vector, (values, i, stride) =>
            new Uint8Array(values.buffer, values.byteOffset + i * stride * 4, width).slice().reverse(),
          ),
          {
            type: "FIXED_LEN_BYTE_ARRAY",
            type_length: width,
            precision: type.precision,
            scale: type.scale,
            logical_type: { type: "DECIMAL", precision: type.precision, scale: type.scale },
          },
        );
        break;
      }
      case Type.Time: {
        const wide = type.unit >= TimeUnit.MICROSECOND; // 64 bits
        typed(
          raw(vector, (values, i) => (wide ? values[i] : values[i] * (type.unit === TimeUnit.SECOND ? 1000 : 1))),
          {
            type: wide ? "INT64" : "INT32",
            logical_type: { type: "TIME", isAdjustedToUTC: false, unit: PARQUET_UNIT[type.unit] },
          },
        );
        break;
      }
      default:
        // nested values: their text, as the CSV has it
        typed(texts(field, vector), STRING);
    }
  });
  return parquetWriteBuffer({ columnData, schema });
}

function rows(vector) {
  const values = [];
  for (let r = 0; r < vector.length; r++) values.push(vector.get(r));
  return values;
}

/** Each row's stored value, read by `read(values, index, stride)` from its chunk; null where null. */
function raw(vector, read) {
  const out = [];
  for (const data of vector.data) {
    for (let i = 0; i < data.length; i++) out.push(data.getValid(i) ? read(data.values, i, data.stride) : null);
  }
  return out;
}

/** A column's values as text: dates and times ISO-8601 with every stored digit, decimals at their
 * scale, 64-bit integers exact, nested values as JSON; null where null. */
function texts(field, vector) {
  const { type } = field;
  const digits = FRACTION_DIGITS[type.unit];
  switch (type.typeId) {
    case Type.Date:
      return rows(vector).map((ms) => (ms === null ? null : new Date(ms).toISOString().slice(0, 10)));
    case Type.Timestamp:
      return raw(vector, (values, i) => instant(BigInt(values[i]), digits) + (type.timezone ? "Z" : ""));
    case Type.Time:
      return raw(vector, (values, i) => clock(BigInt(values[i]), digits));
    case Type.Decimal:
      return raw(vector, (values, i, stride) => decimal(values, i, stride, type.scale));
    default:
      return rows(vector).map(text);
  }
}

/** Split into whole seconds and the fraction, flooring (an instant before 1970 is negative). */
function split(value, digits) {
  const per = 10n ** BigInt(digits);
  let seconds = value / per;
  let fraction = value % per;
  if (fraction < 0n) {
    fraction += per;
    seconds -= 1n;
  }
  return [seconds, digits ? `.${fraction.toString().padStart(digits, "0")}` : ""];
}

function instant(value, digits) {
  const [seconds, fraction] = split(value, digits);
  return new Date(Number(seconds) * 1000).toISOString().slice(0, 19) + fraction;
}

function clock(value, digits) {
  const [seconds, fraction] = split(value, digits);
  const two = (n) => n.toString().padStart(2, "0");
  return `${two(seconds / 3600n)}:${two((seconds / 60n) % 60n)}:${two(seconds % 60n)}${fraction}`;
}

/** A decimal's two's complement integer (32-bit little-endian words) at its scale. */
function decimal(values, i, stride, scale) {
  let n = 0n;
  for (let w = stride - 1; w >= 0; w--) n = (n << 32n) | BigInt(values[i * stride + w]);
  const bits = BigInt(stride * 32);
  if (n >= 1n << (bits - 1n)) n -= 1n << bits;
  let digits = (n < 0n ? -n : n).toString();
  if (scale > 0) {
    digits = digits.padStart(scale + 1, "0");
    digits = `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  }
  return (n < 0n ? "-" : "") + digits;
}
