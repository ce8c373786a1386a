// The public API, as any client calls it: the key (kept for this tab only, in sessionStorage,
// never in the URL or local storage) as a bearer token; a 401 asks for a key and retries.
const KEY = "floe.apiKey";
let asking = null;
// Set when the user closed the key prompt: later 401s are answered as errors, not with the prompt
// again (a screen that polls would bring it back every moment), until a key is asked for again.
let declined = false;

export function apiKey() {
  return sessionStorage.getItem(KEY);
}

export function forgetKey() {
  sessionStorage.removeItem(KEY);
}

/** An answer that is not a success: its status and error envelope. */
export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.error) || `The service answered HTTP ${status}.`);
    this.status = status;
    this.body = body || {};
  }
  get code() {
    return this.body.error_code || null;
  }
}

/** Shows the key dialog; resolves true once a key was entered, false if cancelled. */
export function askKey(why) {
  declined = false;
  if (asking) return asking;
  const dialog = document.getElementById("key-dialog");
  const input = document.getElementById("key-input");
  document.getElementById("key-why").textContent = why || "";
  input.value = "";
  asking = new Promise((resolve) => {
    dialog.addEventListener(
      "close",
      () => {
        asking = null;
        const key = input.value.trim();
        input.value = "";
        if (dialog.returnValue === "use" && key) {
          sessionStorage.setItem(KEY, key);
          resolve(true);
        } else {
          declined = true;
          resolve(false);
        }
      },
      { once: true },
    );
  });
  dialog.returnValue = "";
  dialog.showModal();
  input.focus();
  return asking;
}

export async function request(method, path, { body, accept, signal } = {}) {
  for (;;) {
    const headers = { Accept: accept || "application/json" };
    const key = apiKey();
    if (key) headers.Authorization = `Bearer ${key}`;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : serialize(body),
      signal,
    });
    if (response.status === 401) {
      const error = await errorOf(response);
      // Sent before a key was entered (another call's prompt took it meanwhile): try that key.
      if (apiKey() && apiKey() !== key) continue;
      if (!declined && (await askKey(error.message))) continue;
      throw error;
    }
    if (!response.ok) throw await errorOf(response);
    return response;
  }
}

/** JSON, with Iceberg's 64-bit ids (numbers past 2^53) kept exact, as strings. */
export async function json(method, path, options) {
  return parseExact(await text(method, path, options));
}

/** A response's text (for a caller that reads part of it in another way, see `exactJson`). */
export async function text(method, path, options) {
  return (await request(method, path, options)).text();
}

/**
 * The JSON text of what `pick` chooses in a response, its numbers past 2^53 written as they came
 * (not as the strings `parseExact` makes of them): a run's params, shown and sent again as the
 * user wrote them. Browsers without JSON.rawJSON write such a number as a string.
 */
export function exactJson(text, pick) {
  const value = pick(JSON.parse(text, bigIntegers(asWritten)));
  return value === undefined || value === null ? null : JSON.stringify(value);
}

/** An integer's digits as JSON.stringify writes them back: a number as written where JSON.rawJSON
 * exists, else a string (never a rounded float). */
export function asWritten(digits) {
  return typeof JSON.rawJSON === "function" ? JSON.rawJSON(digits) : digits;
}

export function parseExact(text) {
  return JSON.parse(text, bigIntegers((source) => source));
}

/** A JSON.parse reviver giving each integer past 2^53 as `as(its source text)`. */
function bigIntegers(as) {
  return (key, value, context) =>
    typeof value === "number" && Number.isInteger(value) && !Number.isSafeInteger(value) && context
      ? as(context.source)
      : value;
}

/** JSON text the user wrote, sent as written (its numbers exact, even past 2^53). */
export class RawJson {
  constructor(text) {
    this.text = text;
  }
}

function serialize(body) {
  const raw = [];
  const text = JSON.stringify(body, (key, value) => {
    if (value instanceof RawJson) {
      raw.push(value.text);
      return `\u0000raw${raw.length - 1}\u0000`;
    }
    return value;
  });
  return text.replace(/"\\u0000raw(\d+)\\u0000"/g, (_, i) => raw[Number(i)]);
}

async function errorOf(response) {
  let body = null;
  try {
    body = await response.json();
  } catch {
    // not JSON: the status says it
  }
  return new ApiError(response.status, body);
}

export const RUNS = "/api/v1/warehouse/polars/runs";
export const POLARS = "/api/v1/warehouse/polars";
export const ARROW = "application/vnd.apache.arrow.stream";
