// Browser test of the consumer page, as a person would use it: take the QR
// text of a published label, open its URL in Chromium, read the status and
// the support date, take a screenshot; then revoke the label and check that
// the same page now says so. Run by internal/cli/browser_test.go with
//   BASE, LABEL_ID, ADMIN_TOKEN, SUPPORT_END, SHOTS (a directory), CHROMIUM.
import assert from "node:assert/strict";
import { chromium } from "playwright-core";

const { BASE, LABEL_ID, ADMIN_TOKEN, SUPPORT_END, SHOTS } = process.env;
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";

const res = await fetch(`${BASE}/v1/labels/${LABEL_ID}`);
assert.equal(res.status, 200, "label lookup");
const qr = (await res.json()).compact;
// The QR text is the page URL with the signed label after '#'.
assert.match(qr, /^http:\/\/[^#]+\/l\/[A-Z0-9-]+#/, "QR text starts with the page URL");

const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
try {
  // A phone-sized viewport: the page is meant to be read after a scan.
  const page = await browser.newPage({ viewport: { width: 390, height: 844 }, javaScriptEnabled: false });
  const nav = await page.goto(qr);
  assert.equal(nav.status(), 200, "consumer page status");
  // The status badge is announced to screen readers (role=status).
  assert.equal((await page.getByRole("status").innerText()).trim(), "Label valid", "badge of an active label");
  const body = await page.locator("body").innerText();
  assert.ok(body.includes(`Security updates until ${SUPPORT_END}`), `support date ${SUPPORT_END} shown`);
  await page.screenshot({ path: `${SHOTS}/active.png`, fullPage: true });

  const rev = await fetch(`${BASE}/v1/labels/${LABEL_ID}/revoke`, {
    method: "POST",
    headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, "Content-Type": "application/json" },
    body: JSON.stringify({ reason: "browser test: backdoor found in firmware" }),
  });
  assert.equal(rev.status, 200, "revoke");

  await page.reload();
  assert.equal((await page.getByRole("status").innerText()).trim(), "Label revoked", "badge after revocation");
  const after = await page.locator("body").innerText();
  assert.ok(after.includes("backdoor found in firmware"), "revocation reason shown");
  assert.ok(!after.includes("Security tier:"), "a revoked label no longer headlines its tier");
  assert.ok((await page.getByRole("alert").first().innerText()).startsWith("Do not rely on this label."), "the warning comes first and says why");
  await page.screenshot({ path: `${SHOTS}/revoked.png`, fullPage: true });
  console.log("consumer page: active and revoked views checked; screenshots in", SHOTS);
} finally {
  await browser.close();
}
