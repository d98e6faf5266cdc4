// The shoppers' storefront in Debian's Chromium against a real FlashSale server:
// the journey (register, join before the start, countdown, admitted, buy, Confirmed) with
// screenshots on a desktop and a phone, light and dark; reload and second tab keep the
// place; 30 browser contexts race for 5 units; a dropped purchase answer is retried with
// the same Idempotency-Key; axe-core finds nothing serious; the CSP header on every page
// and a product name made of HTML shown as text.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Api, admin, startServer } from './server.mjs';

// The page's own words, to compare with what it shows. words.js is an ES module of the page,
// with no package.json to say so: Debian 12's Node.js 18 would load it as CommonJS, so it
// is imported from its text (Node.js 20 detects the syntax itself).
const { orderStates, problemWords } = await import(`data:text/javascript,${encodeURIComponent(
  readFileSync(new URL('../../resources/static/words.js', import.meta.url), 'utf8'))}`);
const require = createRequire(`${process.env.FLASHSALE_NODE_MODULES}/`);
const { chromium } = require('playwright-core');
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

const OUT = join(process.env.FLASHSALE_TEST_OUTPUT || tmpdir(), 'storefront');
mkdirSync(OUT, { recursive: true });
const PASSWORD = 'correct horse battery';
const XSS = '<img src=x onerror=alert(1)>';
const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 375, height: 740 };

let server;
let api;
let browser;
const dialogs = [];
const cspViolations = [];
const pageErrors = [];

async function newPage(context) {
  const page = await context.newPage();
  // Generous: the build machine is shared, and thirty pages load at once in the race.
  page.setDefaultTimeout(60_000);
  page.setDefaultNavigationTimeout(90_000);
  page.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss().catch(() => {}); });
  page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text()); });
  page.on('pageerror', (e) => pageErrors.push(e.message));
  // Every page the browser loads from the shop carries the CSP.
  page.on('response', (r) => {
    if (r.request().resourceType() === 'document' && r.url().startsWith(server.url)) {
      const csp = r.headers()['content-security-policy'] || '';
      if (!csp.includes("script-src 'self'") || !csp.includes("frame-ancestors 'none'")) {
        cspViolations.push(`no strict CSP on ${r.url()}: "${csp}"`);
      }
    }
  });
  return page;
}

// desktop and phone, light and dark, of the page as it is now
async function snap(page, step) {
  const before = page.viewportSize();
  for (const [device, size] of [['desktop', DESKTOP], ['phone', PHONE]]) {
    for (const scheme of ['light', 'dark']) {
      await page.setViewportSize(size);
      await page.emulateMedia({ colorScheme: scheme });
      await page.screenshot({ path: join(OUT, `${step}-${device}-${scheme}.png`), fullPage: true });
    }
  }
  await page.setViewportSize(before);
  await page.emulateMedia({ colorScheme: 'light' });
}

async function axeCheck(page, state) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(bad.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`), [],
    `axe-core: serious or critical violations in state "${state}"`);
}

async function signIn(page, email, returnTo, base = server.url) {
  await page.goto(`${base}/#/signin?to=${encodeURIComponent(returnTo)}`);
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('.who', { hasText: 'Signed in as' }).waitFor();
}

// A server of its own, with `extraIni` and its admin signed in (`.api`).
async function ownServer(extraIni) {
  const own = await startServer(extraIni);
  own.api = new Api(own.url);
  await own.api.login(admin.email, admin.password);
  return own;
}

// Runs `body(own)` against a server of its own, then closes the browsers joined() opened
// on it and stops it.
async function onOwnServer(extraIni, body) {
  const own = await ownServer(extraIni);
  own.contexts = [];
  try {
    await body(own);
  } finally {
    await Promise.all(own.contexts.map((c) => c.close()));
    await own.stop();
  }
}

// On `own`: a live sale of a new product called `name`.
async function liveSale(own, name, { quantity = 3, limit = 1, price = 100 } = {}) {
  const productId = await own.api.product(name, 20, price * 2);
  return own.api.sale(`${name} deal`, productId, quantity, limit, -1000, price);
}

// A shopper's browser (a context of its own) signed in on `sale`'s page, joined to its
// waiting room; `register: name` makes the account first, `live: false` keeps the live
// channel closed.
async function joined(own, email, sale, { live = true, register } = {}) {
  if (register) await own.api.register(email, PASSWORD, register);
  const context = await browser.newContext({ viewport: DESKTOP });
  own.contexts?.push(context);
  const page = await newPage(context);
  if (!live) await page.routeWebSocket(/\/notifications/, (ws) => ws.close());
  await signIn(page, email, `#/sale/${sale.saleId}`, own.url);
  await page.getByRole('button', { name: 'Join the waiting room' }).click();
  return { context, page };
}

// The focused element, and whether its focus can be seen: an outline of at least 2 px (or
// a box-shadow ring) while it matches :focus-visible.
async function focusOf(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body || el === document.documentElement) return null;
    const style = getComputedStyle(el);
    const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
    const ring = style.boxShadow && style.boxShadow !== 'none';
    const label = el.labels && el.labels[0] ? el.labels[0].textContent : '';
    return { tag: el.tagName.toLowerCase(), id: el.id, name: (el.getAttribute('aria-label') || label || el.textContent || '').trim(),
      visible: el.matches(':focus-visible') && (outline || ring), inMain: !!el.closest('main') };
  });
}

// Presses Tab (or Shift+Tab) until the focus is on a control that `wanted` accepts; every
// control passed on the way must show its focus. Fails when it is not reached.
async function tabTo(page, wanted, what, { back = false, max = 25 } = {}) {
  const passed = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
    const f = await focusOf(page);
    if (f) {
      passed.push(`${f.tag}#${f.id}:${f.name.slice(0, 30)}`);
      assert.ok(f.visible, `no visible focus on ${passed.at(-1)} (on the way to ${what})`);
      if (wanted(f)) return f;
    }
  }
  assert.fail(`${what} is not reached by ${back ? 'Shift+Tab' : 'Tab'}; passed: ${passed.join(' | ')}`);
}
const named = (name) => (f) => f.name === name;

before(async () => {
  server = await startServer();
  api = new Api(server.url);
  await api.login(admin.email, admin.password);
  // launch() gives Chromium a fresh user-data-dir of its own (a new temporary folder,
  // removed on close); playwright refuses --user-data-dir with launch().
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--headless', '--disable-gpu', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  if (browser) await browser.close();
  if (server) await server.stop();
});

describe('storefront', { concurrency: 1 }, () => {
  test('journey: register, join before the start, countdown, admitted, buy, Confirmed; reload and second tab keep the place', async () => {
    const productId = await api.product(`Phone ${XSS}`, 50, 999);
    const sale = await api.sale('Launch day', productId, 10, 2, 45_000, 499.5);
    const context = await browser.newContext({ viewport: DESKTOP });
    const page = await newPage(context);

    await page.goto(`${server.url}/`);
    const card = page.locator(`li[data-sale-id="${sale.saleId}"]`);
    await card.waitFor();
    // The product's name is shown as the characters it is made of, never as markup.
    await assert.doesNotReject(card.getByText(`Phone ${XSS}`, { exact: true }).waitFor());
    assert.equal(await page.locator('img[src="x"]').count(), 0, 'the product name became an element');
    assert.match(await card.locator('[data-countdown]').textContent(), /^Starts in /);
    await snap(page, '01-sales');
    await axeCheck(page, 'sales list');

    await page.getByRole('link', { name: 'Create account' }).first().click();
    await page.getByLabel('Your name').fill('Browser Shopper');
    await page.getByLabel('E-mail').fill('journey@browser.test');
    await page.getByLabel('Password').fill(PASSWORD);
    await snap(page, '02-register');
    await axeCheck(page, 'register');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.locator('.who', { hasText: 'Signed in as Browser Shopper' }).waitFor();

    await page.goto(`${server.url}/#/sale/${sale.saleId}`);
    await page.getByRole('button', { name: 'Join the line now' }).click();
    await page.getByRole('heading', { name: 'You are in line' }).waitFor();
    await page.locator('#position').waitFor();
    const ticket = await page.getByText(/^Ticket \d+$/).textContent();
    const position = await page.locator('#position').textContent();
    assert.equal(position, '1');
    await snap(page, '03-waiting-before-start');
    await axeCheck(page, 'waiting room');

    // A reload and a second tab keep the same ticket and place.
    await page.reload();
    await page.locator('#position').waitFor();
    assert.equal(await page.getByText(/^Ticket \d+$/).textContent(), ticket);
    assert.equal(await page.locator('#position').textContent(), position);
    const second = await newPage(context);
    await second.goto(`${server.url}/#/sale/${sale.saleId}`);
    await second.locator('#position').waitFor();
    assert.equal(await second.getByText(/^Ticket \d+$/).textContent(), ticket);
    await second.close();

    // The countdown reaches the start; the shopper is let in and buys.
    await page.getByRole('heading', { name: 'It is your turn' }).waitFor({ timeout: 60_000 });
    await page.locator('.sale-head [data-countdown]', { hasText: /^Live: ends in / }).waitFor({ timeout: 5_000 });
    assert.match(await page.locator('#admission-left').textContent(), /^Your turn ends in /);
    await page.getByLabel('Quantity').selectOption('2');
    await snap(page, '04-admitted');
    await axeCheck(page, 'admitted');
    await page.getByRole('button', { name: 'Buy now' }).click();
    await page.locator('#order-status', { hasText: 'Confirmed' }).waitFor({ timeout: 30_000 });
    await snap(page, '05-confirmed');
    await axeCheck(page, 'order confirmed');

    await page.getByRole('link', { name: 'See all my orders' }).click();
    // `.order` alone: the sale page's status line is `.order-status.order-confirmed`, and it
    // may still be on the page when the click has been made.
    await page.locator('.order.order-confirmed').first().waitFor();
    assert.equal(await page.locator('.order').count(), 1);
    await page.getByText(`Phone ${XSS}`, { exact: true }).first().waitFor();
    await snap(page, '06-my-orders');
    await axeCheck(page, 'my orders');

    const orders = await api.ordersOf(sale.saleId);
    assert.equal(orders.length, 1);
    assert.equal(orders[0].status, 'Confirmed');
    assert.equal(orders[0].quantity, 2);
    await context.close();
  });

  test('countdowns follow the server clock when the browser clock is two hours wrong', async () => {
    const productId = await api.product('Tablet', 10, 399);
    const sale = await api.sale('Later today', productId, 5, 1, 10 * 60_000, 199);
    const context = await browser.newContext({ viewport: DESKTOP });
    // This browser's clock runs two hours ahead of the server's.
    await context.addInitScript(() => {
      const realNow = Date.now;
      Date.now = () => realNow() + 2 * 3600_000;
    });
    const page = await newPage(context);
    await page.goto(`${server.url}/`);
    const countdownText = page.locator(`li[data-sale-id="${sale.saleId}"] [data-countdown]`);
    await countdownText.waitFor();
    assert.ok(await page.evaluate(() => Date.now() - new Date().getTime() > 3600_000), 'the browser clock was not moved');
    assert.match(await countdownText.textContent(), /^Starts in (9|10) min \d\d s$/);
    await context.close();
  });

  test('the first purchase answer is dropped: the page retries with the same key and shows one order', async () => {
    const productId = await api.product('Headphones', 20, 199);
    const sale = await api.sale('Quiet deal', productId, 3, 1, -1000, 99);
    await api.register('dropped@browser.test', PASSWORD, 'Dropped Answer');
    const context = await browser.newContext({ viewport: DESKTOP });
    const page = await newPage(context);
    await signIn(page, 'dropped@browser.test', `#/sale/${sale.saleId}`);
    const keys = [];
    await page.route('**/sales/*/purchase', async (route) => {
      keys.push(route.request().headers()['idempotency-key']);
      if (keys.length === 1) {
        await route.fetch(); // the server takes it...
        await route.abort('connectionreset'); // ...and the answer never arrives
      } else {
        await route.continue();
      }
    });
    await page.getByRole('button', { name: 'Join the waiting room' }).click();
    await page.getByRole('button', { name: 'Buy now' }).click({ timeout: 30_000 });
    await page.locator('#order-status', { hasText: 'Confirmed' }).waitFor({ timeout: 30_000 });
    assert.ok(keys.length >= 2, `the purchase was sent ${keys.length} time(s)`);
    assert.ok(keys[0] && keys.every((k) => k === keys[0]), `keys differ: ${keys.join(', ')}`);
    const orders = await api.ordersOf(sale.saleId);
    assert.equal(orders.length, 1, 'one reservation in the database');
    const now = await api.call('GET', `/sales/${sale.saleId}`);
    assert.equal(now.data.remainingStock, 2);
    await context.close();
  });

  test('without the live channel the page polls, and waits as long as Retry-After says', async () => {
    const productId = await api.product('Speaker', 10, 99);
    const sale = await api.sale('Offline deal', productId, 5, 1, 8_000, 49);
    await api.register('offline@browser.test', PASSWORD, 'No Socket');
    const context = await browser.newContext({ viewport: DESKTOP });
    const page = await newPage(context);
    await page.routeWebSocket(/\/notifications/, (ws) => ws.close()); // the channel never opens
    const polls = [];
    await page.route(/\/sales\/\d+\/queue\/\d+$/, async (route) => {
      polls.push(Date.now());
      if (polls.length === 1) {
        await route.fulfill({ status: 429, headers: { 'Retry-After': '3', 'Content-Type': 'application/problem+json' },
          body: JSON.stringify({ type: '/problems/rate-limited', title: 'Too many requests', status: 429 }) });
      } else {
        await route.continue();
      }
    });
    await signIn(page, 'offline@browser.test', `#/sale/${sale.saleId}`);
    await page.getByRole('button', { name: 'Join the line now' }).click();
    await page.getByText('Updates every few seconds.').waitFor();
    await page.getByRole('heading', { name: 'It is your turn' }).waitFor({ timeout: 60_000 });
    assert.ok(polls.length >= 2, `${polls.length} polls`); // the 429, then at least one that saw the admission
    assert.ok(polls[1] - polls[0] >= 2900, `polled again ${polls[1] - polls[0]} ms after a Retry-After of 3 s`);
    await context.close();
  });

  test('proof of work, when the server asks, is solved in a Web Worker with a progress bar', async () => {
    const powServer = await startServer(['[waitingRoom]', 'proofOfWork=true', 'proofOfWorkBits=16']);
    try {
      const powApi = new Api(powServer.url);
      await powApi.login(admin.email, admin.password);
      const productId = await powApi.product('Console', 10, 499);
      const sale = await powApi.sale('Checked deal', productId, 5, 1, -1000, 249);
      await powApi.register('pow@browser.test', PASSWORD, 'Proof Worker');
      const context = await browser.newContext({ viewport: DESKTOP });
      const page = await newPage(context);
      const workers = [];
      page.on('worker', (w) => workers.push(w.url()));
      const joins = [];
      page.on('request', (r) => { if (r.method() === 'POST' && /\/queue$/.test(r.url())) joins.push(r.postData() || ''); });
      await page.goto(`${powServer.url}/#/signin?to=${encodeURIComponent(`#/sale/${sale.saleId}`)}`);
      await page.getByLabel('E-mail').fill('pow@browser.test');
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('button', { name: 'Join the waiting room' }).click();
      await page.getByRole('progressbar', { name: 'Checking this browser' }).waitFor();
      // The page stays responsive while the worker hashes.
      const started = Date.now();
      await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => resolve())));
      assert.ok(Date.now() - started < 1000, 'the page froze while solving');
      await page.getByRole('heading', { name: 'It is your turn' }).waitFor({ timeout: 60_000 });
      assert.ok(workers.some((u) => u.endsWith('/pow-worker.js')), `workers: ${workers.join(', ')}`);
      assert.equal(joins.length, 2, 'a join without proof, then one with it');
      const proved = JSON.parse(joins[1]);
      assert.ok(proved.challenge && proved.nonce, joins[1]);
      await context.close();
    } finally {
      await powServer.stop();
    }
  });

  test('a declined payment is told in plain words: not charged, the unit went back', async () => {
    const failing = await startServer(['[payments]', 'simulatedFailureRate=1']);
    try {
      const failApi = new Api(failing.url);
      await failApi.login(admin.email, admin.password);
      const productId = await failApi.product('Camera', 10, 599);
      const sale = await failApi.sale('Declined deal', productId, 3, 1, -1000, 299);
      await failApi.register('declined@browser.test', PASSWORD, 'Declined Card');
      const context = await browser.newContext({ viewport: DESKTOP });
      const page = await newPage(context);
      await page.goto(`${failing.url}/#/signin?to=${encodeURIComponent(`#/sale/${sale.saleId}`)}`);
      await page.getByLabel('E-mail').fill('declined@browser.test');
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('button', { name: 'Join the waiting room' }).click();
      await page.getByRole('button', { name: 'Buy now' }).click();
      await page.locator('#order-status', { hasText: 'Not completed' }).waitFor({ timeout: 60_000 });
      await page.locator('#panel').getByText('Your card was not charged; the unit went back on sale.', { exact: false }).waitFor();
      await snap(page, '08-payment-failed');
      await axeCheck(page, 'order failed');
      const after = await failApi.call('GET', `/sales/${sale.saleId}`);
      assert.equal(after.data.remainingStock, 3, 'the unit is back');
      await context.close();
    } finally {
      await failing.stop();
    }
  });

  test('30 browser contexts race for 5 units: 5 confirmed, 25 sold out, no error, and the database agrees', async () => {
    const productId = await api.product('Smartwatch', 100, 299);
    const sale = await api.sale('Five only', productId, 5, 1, 3600_000, 149);
    const shoppers = Array.from({ length: 30 }, (_, i) => `racer${i}@browser.test`);
    await Promise.all(shoppers.map((email, i) => api.register(email, PASSWORD, `Racer ${i}`)));
    const contexts = await Promise.all(shoppers.map(() => browser.newContext({ viewport: PHONE })));
    const pages = await Promise.all(contexts.map((c) => newPage(c)));
    // Everyone signs in and joins before the start.
    for (let i = 0; i < pages.length; i += 5) {
      await Promise.all(pages.slice(i, i + 5).map(async (page, j) => {
        await signIn(page, shoppers[i + j], `#/sale/${sale.saleId}`);
        await page.getByRole('button', { name: 'Join the line now' }).click();
        await page.locator('#position').waitFor();
      }));
    }
    // Then the merchant starts the sale: all thirty are let in as fast as the stock allows.
    const started = await api.call('POST', `/sales/${sale.saleId}/start`);
    assert.equal(started.status, 200);
    // Each page buys when let in, and ends on its order or on sold out.
    const outcomes = await Promise.all(pages.map(async (page) => {
      const deadline = Date.now() + 120_000;
      while (Date.now() < deadline) {
        if (await page.locator('#buy:not([disabled])').count()) {
          // The panel may turn to sold out under the click: then the loop reads that.
          await page.locator('#buy').click({ timeout: 3000 }).catch(() => {});
        }
        if (await page.locator('#order-status', { hasText: 'Confirmed' }).count()) return 'confirmed';
        if (await page.getByRole('heading', { name: 'Sold out' }).count()) return 'soldout';
        const error = (await page.locator('.error').allTextContents()).join(' ').trim();
        if (error) return `error: ${error}`;
        await page.waitForTimeout(250);
      }
      return 'timeout';
    }));
    const count = (what) => outcomes.filter((o) => o === what).length;
    assert.deepEqual({ confirmed: count('confirmed'), soldout: count('soldout'), other: outcomes.filter((o) => o !== 'confirmed' && o !== 'soldout') },
      { confirmed: 5, soldout: 25, other: [] });
    // A sold-out page stops asking the server.
    const quiet = pages[outcomes.indexOf('soldout')];
    const asked = [];
    const listen = (r) => { if (r.url().startsWith(server.url) && r.resourceType() !== 'document') asked.push(r.url()); };
    quiet.on('request', listen);
    await quiet.waitForTimeout(6000);
    quiet.off('request', listen);
    assert.deepEqual(asked, [], 'requests from a sold-out page');
    await snap(pages[outcomes.indexOf('soldout')], '07-sold-out');
    await axeCheck(pages[outcomes.indexOf('soldout')], 'sold out');
    const orders = await api.ordersOf(sale.saleId);
    assert.equal(orders.length, 5, 'reservations in the database');
    assert.equal(orders.filter((o) => o.status === 'Confirmed').length, 5);
    assert.equal(new Set(orders.map((o) => o.userId)).size, 5);
    const now = await api.call('GET', `/sales/${sale.saleId}`);
    assert.equal(now.data.remainingStock, 0);
    assert.equal(now.data.sold, 5);
    await Promise.all(contexts.map((c) => c.close()));
  });

  test('keyboard only: register, open a live sale, join, buy and see the order with Tab, Shift+Tab, Enter and Space', async () => {
    const productId = await api.product('Keyboard', 10, 89);
    const sale = await api.sale('Typing deal', productId, 5, 2, -1000, 45);
    const context = await browser.newContext({ viewport: DESKTOP });
    const page = await newPage(context);
    const shot = (step) => page.screenshot({ path: join(OUT, `keyboard-${step}.png`) });
    await page.goto(`${server.url}/`);
    await page.locator(`li[data-sale-id="${sale.saleId}"]`).waitFor();

    // The first Tab shows the skip link.
    const skip = await tabTo(page, () => true, 'the first control', { max: 1 });
    assert.equal(skip.name, 'Skip to the sales');
    await tabTo(page, named('Create account'), 'Create account');
    await shot('01-sales');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Create an account' }).waitFor();
    await tabTo(page, (f) => f.id === 'name', 'Your name');
    await page.keyboard.type('Key Board');
    await tabTo(page, (f) => f.id === 'email', 'E-mail', { max: 1 });
    await page.keyboard.type('keyboard@browser.test');
    await tabTo(page, (f) => f.id === 'password', 'Password', { max: 1 });
    await page.keyboard.type(PASSWORD);
    await tabTo(page, named('Create account'), 'the Create account button');
    await shot('02-register');
    await page.keyboard.press('Enter');
    await page.locator('.who', { hasText: 'Signed in as Key Board' }).waitFor();
    await page.getByRole('heading', { name: 'Flash sales' }).waitFor();

    // From the list to the sale: its name is a link.
    await tabTo(page, named('Keyboard'), 'the sale');
    await shot('03-signed-in');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Keyboard' }).waitFor();
    await tabTo(page, named('Join the waiting room'), 'Join the waiting room');
    await shot('04-sale');
    await page.keyboard.press('Space');
    // The shopper's turn: the focus goes to the quantity, visibly.
    await page.getByRole('heading', { name: 'It is your turn' }).waitFor({ timeout: 30_000 });
    await page.waitForFunction(() => document.activeElement && document.activeElement.id === 'quantity');
    assert.ok((await focusOf(page)).visible, 'no visible focus on the quantity');
    await tabTo(page, named('Buy now'), 'Buy now', { max: 1 });
    await tabTo(page, (f) => f.id === 'quantity', 'back to the quantity', { back: true, max: 1 });
    await tabTo(page, named('Buy now'), 'Buy now again', { max: 1 });
    await shot('05-admitted');
    await page.keyboard.press('Space');
    await page.locator('#order-status', { hasText: 'Confirmed' }).waitFor({ timeout: 30_000 });
    // The focus is not lost when the panel changes under it.
    const afterBuy = await focusOf(page);
    assert.ok(afterBuy && afterBuy.inMain, `the focus is lost after buying: ${JSON.stringify(afterBuy)}`);
    await tabTo(page, named('See all my orders'), 'See all my orders');
    await shot('06-confirmed');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'My orders' }).waitFor();
    await page.locator('.order-confirmed', { hasText: 'Keyboard' }).waitFor();
    await shot('07-my-orders');
    const orders = await api.ordersOf(sale.saleId);
    assert.equal(orders.length, 1);
    assert.equal(orders[0].status, 'Confirmed');
    await context.close();
  });

  test('a reservation the payment does not finish in time is shown Expired, on the sale and in My orders', async () => {
    // The gateway takes 6 s to answer; a reservation lives 2 s: the sweep expires it first.
    await onOwnServer(['[purchase]', 'reservationTtlSeconds=2', '[payments]', 'simulatedLatencyMs=6000'], async (slow) => {
      const slowApi = slow.api;
      const sale = await liveSale(slow, 'Drone', { price: 399 });
      const { page } = await joined(slow, 'expired@browser.test', sale, { register: 'Late Payer' });
      await page.getByRole('button', { name: 'Buy now' }).click();
      const boughtAt = Date.now();
      await page.locator('#order-status', { hasText: orderStates.Pending.title }).waitFor();
      await page.locator('#order-status', { hasText: orderStates.Expired.title }).waitFor({ timeout: 30_000 });
      await page.locator('#panel').getByText(orderStates.Expired.text, { exact: true }).waitFor();
      assert.match(await page.locator('#order-status').getAttribute('class'), /order-expired/);
      await snap(page, '09-order-expired');
      await axeCheck(page, 'order expired');
      // The unit is back on sale.
      const now = await slowApi.call('GET', `/sales/${sale.saleId}`);
      assert.equal(now.data.remainingStock, 3, 'the unit went back');

      await page.getByRole('link', { name: 'See all my orders' }).click();
      const card = page.locator('.order.order-expired'); // the list's card, not the sale page's status line
      await card.waitFor();
      assert.equal(await page.locator('.order').count(), 1);
      await card.getByText(orderStates.Expired.title, { exact: true }).waitFor();
      await card.getByText(orderStates.Expired.text, { exact: true }).waitFor();
      await axeCheck(page, 'my orders, expired');
      // The charge that answers after the expiry does not bring the order back.
      await page.waitForTimeout(Math.max(0, boughtAt + 8000 - Date.now()));
      const orders = await slowApi.ordersOf(sale.saleId);
      assert.deepEqual(orders.map((o) => o.status), ['Expired']);
      await page.reload();
      await page.locator('.order.order-expired').waitFor();
    });
  });

  test('an admission that runs out: the Buy button goes and the page says the turn has passed, also after a reload', async () => {
    await onOwnServer(['[waitingRoom]', 'admissionTokenTtlSeconds=4'], async (brief) => {
      const sale = await liveSale(brief, 'Lamp', { price: 29 });
      const { page } = await joined(brief, 'slowpoke@browser.test', sale, { register: 'Slow Poke' });
      await page.getByRole('heading', { name: 'It is your turn' }).waitFor();
      assert.match(await page.locator('#admission-left').textContent(), /^Your turn ends in [1-4] s\.$/);
      // Nobody buys: the turn runs out.
      await page.getByRole('heading', { name: 'Your turn has passed' }).waitFor({ timeout: 15_000 });
      await page.getByText('You were let in, but the time to buy ran out.').waitFor();
      assert.equal(await page.locator('#buy').count(), 0, 'the Buy button is still there');
      await snap(page, '10-turn-passed');
      await axeCheck(page, 'turn passed');
      await page.reload();
      await page.getByRole('heading', { name: 'Your turn has passed' }).waitFor();
      const ticket = await page.evaluate((id) => Object.keys(localStorage).filter((k) => k.endsWith(`.${id}.ticket`)).length, sale.saleId);
      assert.equal(ticket, 1, 'the ticket is kept: the server says what became of it');
      assert.deepEqual(await brief.api.ordersOf(sale.saleId), []);
    });
  });

  describe('refusals are said in plain words', { concurrency: 1 }, () => {
    let refusing; // purchases: one attempt per 3 s per shopper
    let refusingApi;
    before(async () => {
      refusing = await ownServer(['[purchase]', 'rateLimitSeconds=3']);
      refusingApi = refusing.api;
    });
    after(async () => { if (refusing) await refusing.stop(); });

    // A shopper's browser on the sale's page with the Buy button.
    async function admitted(email, sale, options) {
      const shopper = await joined(refusing, email, sale, options);
      await shopper.page.locator('#buy:not([disabled])').waitFor({ timeout: 30_000 });
      return shopper;
    }
    // What the page shows says it in words, never the problem's JSON (nor the server's
    // detail, when `detail` is given).
    async function plain(page, detail = null) {
      const text = await page.locator('main').innerText();
      for (const raw of ['/problems/', '{', '"status"', detail].filter(Boolean)) {
        assert.ok(!text.includes(raw), `the page shows "${raw}": ${text}`);
      }
      assert.deepEqual(pageErrors, []);
      await page.locator('.who', { hasText: 'Signed in as' }).waitFor();
    }
    async function buy(page) {
      const answered = page.waitForResponse((r) => r.request().method() === 'POST' && /\/purchase$/.test(r.url()));
      await page.getByRole('button', { name: 'Buy now' }).click();
      const response = await answered;
      return { status: response.status(), headers: response.headers(), problem: await response.json() };
    }

    test('409 purchase-limit: the limit bought on one device, then tried again on another', async () => {
      const sale = await liveSale(refusing, 'Kettle', { quantity: 5, price: 39 });
      await refusingApi.register('limit@browser.test', PASSWORD, 'Limit Reached');
      const phone = await admitted('limit@browser.test', sale);
      assert.equal((await buy(phone.page)).status, 202);
      await phone.page.locator('#order-status', { hasText: 'Confirmed' }).waitFor({ timeout: 30_000 });
      const boughtAt = Date.now();
      const laptop = await admitted('limit@browser.test', sale);
      await laptop.page.waitForTimeout(Math.max(0, boughtAt + 3200 - Date.now())); // past the rate limit
      const refused = await buy(laptop.page);
      assert.equal(refused.status, 409);
      assert.equal(refused.problem.type, '/problems/purchase-limit');
      const words = problemWords({ type: 'purchase-limit' });
      await laptop.page.locator('#buy-error', { hasText: words }).waitFor();
      await laptop.page.locator('#alerter', { hasText: words }).waitFor();
      assert.ok(await laptop.page.locator('#buy').isDisabled(), 'Buy is offered again past the limit');
      await plain(laptop.page, refused.problem.detail);
      await snap(laptop.page, '11-refused-limit');
      await axeCheck(laptop.page, 'refused: purchase limit');
      await laptop.page.getByRole('link', { name: 'My orders' }).click();
      await laptop.page.locator('.order-confirmed', { hasText: 'Kettle' }).waitFor();
      assert.equal((await refusingApi.ordersOf(sale.saleId)).length, 1);
      await Promise.all([phone.context.close(), laptop.context.close()]);
    });

    test('429 rate-limited: says how long to wait, then the same purchase goes through', async () => {
      const sale = await liveSale(refusing, 'Toaster', { quantity: 5, limit: 2, price: 35 });
      await refusingApi.register('hasty@browser.test', PASSWORD, 'Hasty Buyer');
      const [phone, laptop] = await Promise.all([admitted('hasty@browser.test', sale), admitted('hasty@browser.test', sale)]);
      assert.equal((await buy(phone.page)).status, 202);
      const refused = await buy(laptop.page); // at once, from the other device
      assert.equal(refused.status, 429);
      const wait = Number(refused.headers['retry-after']);
      assert.ok(wait >= 1 && wait <= 3, `Retry-After: ${wait}`);
      const words = problemWords({ type: 'rate-limited', retryAfterSeconds: wait });
      assert.match(words, /Please wait \d seconds\./);
      await laptop.page.locator('#buy-error', { hasText: words }).waitFor();
      assert.ok(await laptop.page.locator('#buy').isDisabled(), 'Buy is offered before the wait is over');
      await plain(laptop.page, refused.problem.detail);
      await snap(laptop.page, '12-refused-rate-limited');
      // Once the wait is over, Buy again is the same purchase, and it goes through.
      await laptop.page.locator('#buy:not([disabled])').waitFor({ timeout: (wait + 2) * 1000 });
      assert.equal((await buy(laptop.page)).status, 202);
      await laptop.page.locator('#order-status', { hasText: 'Confirmed' }).waitFor({ timeout: 30_000 });
      await phone.page.locator('#order-status', { hasText: 'Confirmed' }).waitFor({ timeout: 30_000 });
      const orders = await refusingApi.ordersOf(sale.saleId);
      assert.equal(orders.length, 2);
      await Promise.all([phone.context.close(), laptop.context.close()]);
    });

    test('403 sale-ended: the merchant ends the sale while the shopper is admitted', async () => {
      const sale = await liveSale(refusing, 'Blender', { quantity: 5, price: 49 });
      await refusingApi.register('ended@browser.test', PASSWORD, 'Too Late');
      const { context, page } = await admitted('ended@browser.test', sale);
      // Right after the page's own look at the sale (every 5 s), so the click comes first.
      await page.waitForResponse((r) => r.url() === `${refusing.url}/sales/${sale.saleId}`, { timeout: 10_000 });
      assert.equal((await refusingApi.call('POST', `/sales/${sale.saleId}/end`)).status, 200);
      const refused = await buy(page);
      assert.equal(refused.status, 403);
      assert.equal(refused.problem.type, '/problems/sale-ended');
      await page.getByRole('heading', { name: 'This sale has ended' }).waitFor();
      await page.locator('#alerter', { hasText: problemWords({ type: 'sale-ended' }) }).waitFor();
      assert.equal(await page.locator('#buy').count(), 0, 'a Buy button for an ended sale');
      await plain(page, refused.problem.detail);
      await snap(page, '13-refused-ended');
      await axeCheck(page, 'refused: sale ended');
      assert.deepEqual(await refusingApi.ordersOf(sale.saleId), []);
      await context.close();
    });

    test('403 not-admitted: the server does not take the admission; the shopper rejoins and buys', async () => {
      const sale = await liveSale(refusing, 'Mixer', { quantity: 5, price: 59 });
      await refusingApi.register('door@browser.test', PASSWORD, 'At The Door');
      const { context, page } = await admitted('door@browser.test', sale);
      // An admission the server no longer accepts (a changed key, another node's token).
      await page.route('**/purchase', (route) => route.continue({ headers: { ...route.request().headers(), 'admission-token': 'not-a-token' } }));
      const refused = await buy(page);
      assert.equal(refused.status, 403);
      assert.equal(refused.problem.type, '/problems/not-admitted');
      const words = problemWords({ type: 'not-admitted' });
      await page.locator('#panel .error', { hasText: words }).waitFor();
      await plain(page, refused.problem.detail);
      await snap(page, '14-refused-not-admitted');
      await axeCheck(page, 'refused: not admitted');
      // The words say to rejoin: the page offers it, and the rejoined shopper buys.
      await page.unroute('**/purchase');
      await page.getByRole('button', { name: 'Join the waiting room' }).click();
      assert.equal((await buy(page)).status, 202);
      await page.locator('#order-status', { hasText: 'Confirmed' }).waitFor({ timeout: 30_000 });
      assert.equal((await refusingApi.ordersOf(sale.saleId)).length, 1);
      await context.close();
    });

    test('409 sold-out: the last unit goes to someone else between the admission and the click', async () => {
      const sale = await liveSale(refusing, 'Grill', { quantity: 1, price: 149 });
      await refusingApi.register('second@browser.test', PASSWORD, 'Second Place');
      await refusingApi.register('first@browser.test', PASSWORD, 'First Place');
      // Without the live channel, so that the click (not a QueueSoldOut message) finds out.
      const { context, page } = await admitted('second@browser.test', sale, { live: false });
      const other = new Api(refusing.url);
      await other.login('first@browser.test', PASSWORD);
      let q = await other.call('POST', `/sales/${sale.saleId}/queue`);
      for (let i = 0; i < 100 && q.data.status !== 'admitted'; i++) {
        await page.waitForTimeout(100);
        q = await other.call('GET', `/sales/${sale.saleId}/queue/${q.data.ticket}`);
      }
      assert.equal(q.data.status, 'admitted');
      const taken = await other.call('POST', `/sales/${sale.saleId}/purchase`, { quantity: 1 },
        { 'Idempotency-Key': 'the-other-shopper', 'Admission-Token': q.data.admissionToken });
      assert.equal(taken.status, 202);
      const refused = await buy(page);
      assert.equal(refused.status, 409);
      assert.equal(refused.problem.type, '/problems/sold-out');
      await page.getByRole('heading', { name: 'Sold out' }).waitFor();
      await page.getByText('Every unit of this sale is taken. Nothing was charged to you.').waitFor();
      await page.locator('.sale-head [data-countdown]', { hasText: 'Sold out' }).waitFor();
      await plain(page);
      await axeCheck(page, 'refused: sold out');
      const orders = await refusingApi.ordersOf(sale.saleId);
      assert.equal(orders.length, 1);
      await context.close();
    });
  });

  // Two tabs of one browser share the session in localStorage; when the access token is
  // due, both want a new one at the same moment. With Web Locks (Chromium has them) one tab
  // refreshes and the other reads its result; without locks both send the same refresh
  // token, and the server (auth/refreshReuseIntervalSeconds, 10 s by default) answers the
  // second use with the same new refresh token instead of revoking the family. Either way
  // both tabs stay signed in.
  for (const locks of [true, false]) {
    test(`two tabs refresh at the same moment (${locks ? 'with' : 'without'} Web Locks) and the shopper stays signed in`, async () => {
      // Access tokens live 9 s here: each tab refreshes about 6 s after the last refresh.
      const short = await startServer(['[auth]', 'accessTokenTtlSeconds=9']);
      const context = await browser.newContext({ viewport: DESKTOP });
      try {
        const shortApi = new Api(short.url);
        const email = `tabs-${locks ? 'locks' : 'nolocks'}@browser.test`;
        await shortApi.register(email, PASSWORD, 'Two Tabs');
        if (!locks) {
          await context.addInitScript(() => { Object.defineProperty(Navigator.prototype, 'locks', { get: () => undefined }); });
        }
        // Every refresh is held until the other tab's arrives too (or 2 s pass), so that
        // without locks the two really reach the server together.
        const refreshes = []; // {tab, token, status, answer}
        let held = [];
        const release = () => { const now = held; held = []; now.forEach((go) => go()); };
        let releaseTimer = null;
        await context.route('**/token', async (route) => {
          const body = JSON.parse(route.request().postData() || '{}');
          if (body.grantType !== 'refresh_token') { await route.continue(); return; }
          const entry = { tab: route.request().frame().page(), token: body.refreshToken, at: Date.now() };
          refreshes.push(entry);
          await new Promise((resolve) => {
            held.push(resolve);
            clearTimeout(releaseTimer);
            if (held.length >= 2) release(); else releaseTimer = setTimeout(release, 2000);
          });
          const response = await route.fetch();
          entry.answer = response.status() === 200 ? (await response.json()).refreshToken : null;
          entry.status = response.status();
          await route.fulfill({ response });
        });
        const first = await newPage(context);
        await signIn(first, email, '#/orders', short.url);
        await first.getByText('No orders yet.').waitFor();
        const signedInAt = Date.now();
        const second = await newPage(context);
        await second.goto(`${short.url}/#/orders`);
        await second.getByText('No orders yet.').waitFor();
        assert.equal(await first.evaluate(() => !!navigator.locks), locks);

        // Two rounds of refreshes: about 6 s and 12 s after signing in.
        const deadline = Date.now() + 30_000;
        const rounds = () => new Set(refreshes.map((r) => r.token)).size;
        while (rounds() < 2 && Date.now() < deadline) await first.waitForTimeout(250);
        await first.waitForTimeout(500); // a late second use of the same token, if any
        while (refreshes.some((r) => !r.status) && Date.now() < deadline) await first.waitForTimeout(100);
        const seen = refreshes.map((r) => `${r.tab === first ? 'first' : 'second'}:${r.status}@${r.at - signedInAt}ms ${r.token.slice(0, 6)}`);
        assert.ok(rounds() >= 2, `refreshes: ${seen.join(', ')}`);
        assert.ok(refreshes.every((r) => r.status === 200), `a refresh was refused: ${seen.join(', ')}`);
        // A token is refreshed a third of its life (3 s) before it expires: once per round,
        // about 6 s apart, not at every request or every second.
        const starts = [...new Set(refreshes.map((r) => r.token))].map((t) => refreshes.find((r) => r.token === t).at);
        assert.ok(starts[0] - signedInAt >= 4000, `refreshed ${starts[0] - signedInAt} ms after signing in: ${seen.join(', ')}`);
        assert.ok(starts[1] - starts[0] >= 4000, `refreshed again after ${starts[1] - starts[0]} ms: ${seen.join(', ')}`);
        assert.ok(refreshes.length <= 2 * rounds(), `${refreshes.length} refreshes in ${rounds()} rounds: ${seen.join(', ')}`);
        const byToken = new Map();
        for (const r of refreshes) byToken.set(r.token, [...(byToken.get(r.token) || []), r]);
        if (locks) {
          // One tab refreshed; the other waited for the lock and took its result.
          assert.ok([...byToken.values()].every((uses) => uses.length === 1), `a refresh token was sent twice: ${seen.join(', ')}`);
        } else {
          // Both tabs sent the same refresh token, and both got the same new one.
          const twice = [...byToken.values()].filter((uses) => uses.length === 2);
          assert.ok(twice.length >= 1, `the tabs never refreshed together: ${seen.join(', ')}`);
          for (const [a, b] of twice) {
            assert.notEqual(a.tab, b.tab);
            assert.equal(a.answer, b.answer, 'a second use within the reuse interval answers the same new refresh token');
          }
        }

        // Both tabs still act as the signed-in shopper, with a token the server takes.
        for (const page of [first, second]) {
          const asked = page.waitForRequest((r) => r.url() === `${short.url}/orders`);
          await page.evaluate(() => { location.hash = '#/'; });
          await page.getByRole('heading', { name: 'Flash sales' }).waitFor();
          await page.getByRole('link', { name: 'My orders' }).click();
          await page.getByText('No orders yet.').waitFor();
          assert.equal(await page.getByRole('heading', { name: 'Sign in' }).count(), 0, 'the sign-in form is shown');
          await page.locator('.who', { hasText: 'Signed in as Two Tabs' }).waitFor();
          const token = (await asked).headers().authorization.replace(/^Bearer /, '');
          const me = await new Api(short.url).call('GET', '/user/me', undefined, { Authorization: `Bearer ${token}` });
          assert.equal(me.status, 200);
          assert.equal(me.data.email, email);
        }
        // The refresh token the tabs hold now still works: its family was not revoked.
        const session = await second.evaluate(() => JSON.parse(localStorage.getItem('flashsale.session')));
        await context.unroute('**/token');
        const again = await shortApi.call('POST', '/token', { grantType: 'refresh_token', refreshToken: session.refreshToken });
        assert.equal(again.status, 200, JSON.stringify(again.data));
      } finally {
        await context.unrouteAll({ behavior: 'ignoreErrors' });
        await context.close();
        await short.stop();
      }
    });
  }

  test('no page ran a dialog, threw, or broke the CSP', () => {
    assert.deepEqual(dialogs, [], 'a script from a product name ran');
    assert.deepEqual(pageErrors, []);
    assert.deepEqual(cspViolations, []);
  });
});
