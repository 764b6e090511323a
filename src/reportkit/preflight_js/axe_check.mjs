// Run axe-core in real headless Chromium on local HTML files at desktop and phone widths.
// Usage: node axe_check.mjs FILE...   Prints one JSON object per file on stdout.
// Every request that is not file:, data: or about: is recorded as leaving the machine (and aborted).
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const require = createRequire(process.env.REPORTKIT_NODE_MODULES + "/");
const { chromium } = require("playwright-core");
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

const browser = await chromium.launch({
  executablePath: process.env.REPORTKIT_CHROMIUM || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"],
});
const viewports = { desktop: { width: 1280, height: 900 }, phone: { width: 390, height: 844 } };
for (const file of process.argv.slice(2)) {
  const result = { file, external: [], violations: [] };
  for (const [name, viewport] of Object.entries(viewports)) {
    const context = await browser.newContext({ viewport });
    const page = await context.newPage();
    await page.route("**/*", (route) => {
      const url = route.request().url();
      if (/^(file|data|about):/.test(url)) return route.continue();
      result.external.push(url);
      return route.abort();
    });
    await page.goto(pathToFileURL(file).href, { waitUntil: "load" });
    await page.addScriptTag({ content: axeSource });
    const axe = await page.evaluate(async () => await window.axe.run(document, { resultTypes: ["violations"] }));
    for (const v of axe.violations) {
      result.violations.push({ viewport: name, id: v.id, impact: v.impact, help: v.help,
                               nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ")) });
    }
    await context.close();
  }
  process.stdout.write(JSON.stringify(result) + "\n");
}
await browser.close();
