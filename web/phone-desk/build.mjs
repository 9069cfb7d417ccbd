// One command builds the phone desk into admin_console/phone/static/ (checked in, so that a
// machine that runs it needs no Node.js and no network): `make phone-desk`, or
// `npm ci && node build.mjs` here. The output depends only on src/ and package-lock.json:
// no timestamps, no absolute paths, a fixed esbuild version; the service worker's cache name
// is the hash of the built files, so a new build replaces the phones' copies.
import { build } from "esbuild";
import { createHash } from "node:crypto";
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const out = process.argv[2] || join(here, "..", "..", "admin_console", "phone", "static");
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

await build({
  entryPoints: [join(here, "src", "app.js")],
  bundle: true,
  minify: true,
  format: "esm",
  platform: "browser",
  target: ["chrome100", "safari15", "firefox100"],
  legalComments: "eof",
  outfile: join(out, "app.js"),
  logLevel: "warning",
});
for (const name of [
  "index.html",
  "style.css",
  "manifest.webmanifest",
  "icon.svg",
  "icon-192.png",
  "icon-512.png",
]) {
  copyFileSync(join(here, "src", name), join(out, name));
}
const hash = createHash("sha256");
for (const name of ["index.html", "app.js", "style.css", "manifest.webmanifest", "icon.svg"]) {
  hash.update(readFileSync(join(out, name)));
}
const version = hash.digest("hex").slice(0, 12);
const sw = readFileSync(join(here, "src", "sw.js"), "utf8").replace("__BUILD__", version);
writeFileSync(join(out, "sw.js"), sw);
writeFileSync(join(out, "BUILD.txt"), `phone desk build ${version} (web/phone-desk: node build.mjs)\n`);
console.log(`built ${out} (${version})`);
