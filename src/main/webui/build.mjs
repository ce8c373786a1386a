// Bundles the console into the directory given (the Maven build passes target/classes/
// META-INF/resources, which Quarkus serves at /): index.html, console.js, console.css.
// Every asset ships in the jar; nothing is loaded from elsewhere at run time.
import { build } from "esbuild";
import { copyFile, mkdir, rm } from "node:fs/promises";
import { join } from "node:path";

const out = process.argv[2];
if (!out) {
  console.error("usage: node build.mjs <output directory>");
  process.exit(2);
}
await mkdir(out, { recursive: true });
await rm(join(out, "chunks"), { recursive: true, force: true }); // no stale chunk of an older build
await build({
  entryPoints: { console: "src/main.js" },
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
await copyFile("src/index.html", join(out, "index.html"));
await copyFile("src/console.css", join(out, "console.css"));
