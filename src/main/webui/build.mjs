// Bundles the console into the directory given (the Maven build passes target/classes/
// META-INF/resources, which Quarkus serves at /): index.html and its hashed script and style.
// Every asset ships in the jar; nothing is loaded from elsewhere at run time.
import { build } from "esbuild";
import { mkdir, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";

const out = process.argv[2];
if (!out) {
  console.error("usage: node build.mjs <output directory>");
  process.exit(2);
}
await mkdir(out, { recursive: true });
// No stale bundle of an older build: every file but index.html carries its content's hash, so a
// browser that cached one never mixes it with another build's.
await rm(join(out, "chunks"), { recursive: true, force: true });
for (const name of await readdir(out)) {
  if (/^console(-[A-Z0-9]+)?\.(js|css)$/.test(name)) await rm(join(out, name));
}
const result = await build({
  entryPoints: { console: "src/main.js", style: "src/console.css" },
  entryNames: "console-[hash]",
  metafile: true,
  bundle: true,
  minify: true,
  sourcemap: false,
  format: "esm",
  // The downloads' Arrow and Parquet code loads only when a download is asked for.
  splitting: true,
  chunkNames: "chunks/[name]-[hash]",
  target: "es2020",
  outdir: out,
  legalComments: "linked",
  logLevel: "warning",
});
const outputs = Object.entries(result.metafile.outputs);
const named = (entry) => outputs.find(([, o]) => o.entryPoint === entry)[0].split("/").pop();
const html = (await readFile("src/index.html", "utf8"))
  .replace('href="console.css"', `href="${named("src/console.css")}"`)
  .replace('src="console.js"', `src="${named("src/main.js")}"`);
await writeFile(join(out, "index.html"), html);
