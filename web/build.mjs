// Builds the page's scripts into engine/web/static/, reproducibly: the same sources and
// the same pinned packages (package-lock.json) give the same bytes, which
// tests/web/test_bundle.py checks against the committed files.
import { build } from "esbuild";
import { fileURLToPath } from "node:url";

// FERRY_WEB_OUT: another folder (the bundle test builds there and compares)
const out = process.env.FERRY_WEB_OUT ? `${process.env.FERRY_WEB_OUT}/` : fileURLToPath(new URL("../engine/web/static/", import.meta.url));
const common = {
  bundle: true,
  format: "iife",
  target: ["chrome100", "firefox100", "safari15"],
  legalComments: "inline",
  charset: "utf8",
  logLevel: "warning",
};
await build({ ...common, entryPoints: ["src/page.js"], outfile: `${out}ferry.js` });
await build({ ...common, entryPoints: ["src/sw.js"], outfile: `${out}sw.js` });
