// Opens Hearth's chat page in Debian's chromium (headless, driven by playwright-core), sends a message, waits for the
// streamed reply, takes a screenshot and reports what the page showed as JSON.
// Usage: node browser.mjs URL API_KEY SCREENSHOT.png MESSAGE
import fs from "node:fs";
import { chromium } from "playwright-core";

const [url, key, shot, message] = process.argv.slice(2);
const executablePath = process.env.CHROMIUM || "/usr/bin/chromium";
if (!fs.existsSync(executablePath)) {
  console.error(`chromium not found at ${executablePath}: apt-get install -y chromium (tools/run-tests.sh does)`);
  process.exit(2);
}
const t0 = Date.now(); const mark = (m) => process.env.HEARTH_TRACE && console.error(m, Date.now() - t0);
const browser = await chromium.launch({ executablePath, headless: true, args: ["--no-sandbox", "--disable-gpu"] });
try {
  const page = await browser.newPage({ viewport: { width: 960, height: 640 } });
  const consoleErrors = [];
  page.on("pageerror", (e) => consoleErrors.push(String(e)));
  await page.addInitScript((k) => {
    localStorage.setItem("hearth-api-key", k);
    // Count how many times the reply bubble changed: more than once means it streamed.
    window.__replyUpdates = 0;
    new MutationObserver((records) => {
      for (const r of records) if (r.target.closest && r.target.closest(".msg.assistant") || (r.target.parentElement && r.target.parentElement.closest(".msg.assistant"))) window.__replyUpdates++;
    }).observe(document, { subtree: true, childList: true, characterData: true });
  }, key);
  await page.goto(url); mark("goto");
  const model = await page.waitForFunction(() => {
    const t = document.getElementById("model").textContent;
    return t !== "loading..." ? t : null;
  }, null, { timeout: 15000 }).then((h) => h.jsonValue());
  await page.click("details summary"); // the settings are folded away by default
  await page.fill("#temperature", "0");
  await page.fill("#maxtokens", "64");
  await page.fill("#input", message);
  await page.click("#send"); mark("send");
  await page.waitForSelector(".msg.assistant[data-done='true'], .msg.error", { timeout: 30000 });
  // page.$ does not wait: textContent on a missing element would wait out its whole timeout.
  const text = async (selector) => { const e = await page.$(selector); return e ? e.textContent() : null; };
  const reply = await text(".msg.assistant");
  const error = await text(".msg.error");
  const tps = await page.textContent("#tps"); mark("reply");
  const updates = await page.evaluate(() => window.__replyUpdates);
  await page.screenshot({ path: shot });

  // Look at the screenshot's pixels in the browser itself (no PNG decoder needed here).
  const b64 = fs.readFileSync(shot).toString("base64");
  const image = await page.evaluate(async (data) => {
    const img = new Image();
    img.src = "data:image/png;base64," + data;
    await img.decode();
    const canvas = document.createElement("canvas");
    canvas.width = img.width; canvas.height = img.height;
    const ctx = canvas.getContext("2d");
    ctx.drawImage(img, 0, 0);
    const d = ctx.getImageData(0, 0, img.width, img.height).data;
    const colors = new Set();
    for (let i = 0; i < d.length; i += 4 * 13) colors.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
    return { width: img.width, height: img.height, colors: colors.size };
  }, b64);
  console.log(JSON.stringify({ model, reply, error, tps, updates, image, consoleErrors }));
} finally {
  await browser.close();
}
