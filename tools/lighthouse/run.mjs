// Lighthouse on each given URL in an already running, already signed-in Chromium.
// Used by tests/bench/bench_lighthouse.py:
//   node run.mjs --port 9222 --out DIR URL...
// Writes DIR/<n>.json per URL: the Lighthouse report (lhr) and what the audited page showed
// once Lighthouse was done (its hash, first heading, whether the Sign out button showed, the
// navigation link marked current), so the caller can tell a signed-in screen from the sign-in
// page Lighthouse may have audited instead.
import fs from "node:fs";
import path from "node:path";
import lighthouse from "lighthouse";
import puppeteer from "puppeteer-core";

function parse(argv) {
  const args = { urls: [] };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--port") args.port = Number(argv[++i]);
    else if (argv[i] === "--out") args.out = argv[++i];
    else args.urls.push(argv[i]);
  }
  if (!args.port || !args.out || !args.urls.length) {
    throw new Error("usage: node run.mjs --port PORT --out DIR URL...");
  }
  return args;
}

// The Lighthouse defaults (a mobile phone, simulated slow 4G and 4x CPU slowdown) except that
// storage is kept: the sign-in token lives in IndexedDB, and clearing it would audit the
// sign-in page. The service worker stays too: a repeat visit, which is how the app is used.
const FLAGS = {
  output: "json",
  logLevel: "error",
  onlyCategories: ["performance", "accessibility", "best-practices"],
  disableStorageReset: true,
};

const SHOWN = `(() => ({
  hash: location.hash,
  heading: document.querySelector("#main h1, #main h2")?.textContent.trim() ?? null,
  signOut: document.getElementById("sign-out")?.hidden === false,
  current: document.querySelector("#nav a[aria-current=page]")?.getAttribute("href") ?? null,
}))()`;

async function main() {
  const args = parse(process.argv.slice(2));
  fs.mkdirSync(args.out, { recursive: true });
  const browser = await puppeteer.connect({
    browserURL: `http://127.0.0.1:${args.port}`,
    defaultViewport: null,
  });
  try {
    const version = await browser.version();
    for (const [n, url] of args.urls.entries()) {
      const page = await browser.newPage();
      try {
        const result = await lighthouse(url, FLAGS, undefined, page);
        if (!result) throw new Error(`Lighthouse returned nothing for ${url}`);
        const shown = await page.evaluate(SHOWN);
        const file = path.join(args.out, `${n}.json`);
        fs.writeFileSync(file, JSON.stringify({ url, browser: version, shown, lhr: result.lhr }));
      } finally {
        await page.close();
      }
    }
  } finally {
    // Leave the browser running: it belongs to the caller.
    browser.disconnect();
  }
}

main().catch((error) => {
  console.error(error?.stack || String(error));
  process.exit(1);
});
