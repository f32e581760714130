// Browser test of the consumer page, as a person would use it after scanning
// a label's QR code on a phone: open the URL in the QR text in Chromium at
// phone width, read what the page leads with, and take a screenshot of each
// status. Run by internal/cli/browser_test.go, which moves the registry's
// clock between phases, with
//   PHASE (now | pending | ended), BASE, ADMIN_TOKEN, SHOTS (a directory), CHROMIUM,
//   ROUTER, DOORBELL, SENSOR, PLUG (label IDs of the demo), SUPPORT_END (the router's).
import assert from "node:assert/strict";
import { chromium } from "playwright-core";

const { PHASE, BASE, ADMIN_TOKEN, SHOTS, ROUTER, DOORBELL, SENSOR, PLUG, SUPPORT_END } = process.env;
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";

// qrURL returns the text a phone reads from the label's QR code.
async function qrURL(id) {
  const res = await fetch(`${BASE}/v1/labels/${id}`);
  assert.equal(res.status, 200, `label lookup ${id}`);
  const qr = (await res.json()).compact;
  // The QR text is the page URL with the signed label after '#'.
  assert.match(qr, /^http:\/\/[^#]+\/l\/[A-Z0-9-]+#/, "QR text starts with the page URL");
  return qr;
}

async function post(id, action, reason) {
  const res = await fetch(`${BASE}/v1/labels/${id}/${action}`, {
    method: "POST",
    headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, "Content-Type": "application/json" },
    body: JSON.stringify({ reason }),
  });
  assert.equal(res.status, 200, `${action} ${id}`);
}

const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
const shots = [];
try {
  // A phone-sized viewport: the page is meant to be read after a scan.
  const page = await browser.newPage({ viewport: { width: 390, height: 844 }, javaScriptEnabled: false });

  // view opens (or reloads) a label's page and checks what it leads with:
  // the badge (announced to screen readers as role=status), whether the tier
  // is shown, and for a label not in force, the warning before anything else.
  async function view(id, name, { badge, tier, warning, says = [] }) {
    // From a blank page, so that opening the same URL again is a new load
    // and not a jump within the page.
    await page.goto("about:blank");
    const nav = await page.goto(await qrURL(id));
    assert.equal(nav.status(), 200, `${name}: page status`);
    assert.equal((await page.getByRole("status").innerText()).trim(), badge, `${name}: badge`);
    const body = await page.locator("body").innerText();
    assert.equal(body.includes("Security tier:"), tier, `${name}: tier ${tier ? "shown" : "hidden"}`);
    if (warning) {
      const alert = (await page.getByRole("alert").first().innerText()).trim();
      assert.ok(alert.startsWith("Do not rely on this label."), `${name}: the warning comes first, got ${JSON.stringify(alert)}`);
      // Nothing of the label's claims may come before the warning.
      assert.ok(body.indexOf("Do not rely on this label.") < body.indexOf("Security updates"), `${name}: warning before the details`);
    } else {
      assert.ok(!body.includes("Do not rely on this label."), `${name}: no "do not rely" warning for a label in force`);
    }
    for (const s of says) assert.ok(body.includes(s), `${name}: page says ${JSON.stringify(s)}`);
    // Dates never wrap at phone width: each stays on one line.
    for (const el of await page.locator(".date").all()) {
      const box = await el.boundingBox();
      const lh = parseFloat(await el.evaluate((e) => getComputedStyle(e).lineHeight)) || 24;
      assert.ok(box.height < 1.6 * lh, `${name}: a date wraps (${box.height}px tall)`);
    }
    // Nothing is wider than the phone: no sideways scrolling.
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 390, `${name}: page is ${width}px wide at a 390px viewport`);
    await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
    shots.push(name);
  }

  if (PHASE === "now") {
    await view(ROUTER, "active", { badge: "Label valid", tier: true, says: [`Security updates until ${SUPPORT_END}`] });
    await view(DOORBELL, "at-risk-support-ending", { badge: "Attention needed", tier: true, says: ["security support ends 2027-03-31"] });
    await view(SENSOR, "at-risk-exploited", { badge: "Attention needed", tier: true,
      says: ["Attackers are known to be using a security flaw", "Install the maker's security update"] });
    await post(ROUTER, "suspend", "browser test: under investigation");
    await view(ROUTER, "suspended", { badge: "Label suspended", tier: false, warning: true, says: ["under investigation"] });
    await post(ROUTER, "reinstate", "browser test: investigation closed");
    await view(ROUTER, "reinstated", { badge: "Label valid", tier: true });
    await post(ROUTER, "revoke", "browser test: backdoor found in firmware");
    await view(ROUTER, "revoked", { badge: "Label revoked", tier: false, warning: true, says: ["backdoor found in firmware"] });
  } else if (PHASE === "pending") {
    await view(PLUG, "pending", { badge: "Label not yet valid", tier: false, warning: true });
  } else if (PHASE === "ended") {
    await view(DOORBELL, "support-ended", { badge: "Support ended", tier: false, warning: true,
      says: ["no longer receives security fixes"] });
    await view(ROUTER, "revoked-later", { badge: "Label revoked", tier: false, warning: true });
  } else {
    throw new Error(`unknown PHASE ${PHASE}`);
  }
  console.log(`consumer page, phase ${PHASE}: checked ${shots.join(", ")}; screenshots in ${SHOTS}`);
} finally {
  await browser.close();
}
