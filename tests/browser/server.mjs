// A real FlashSale server for the browser tests: the built binary (FLASHSALE_BINARY),
// headless on a free loopback port, with its own data folder and a configuration that
// makes accounts cheap to create; and the admin's steps over the public API.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const admin = { email: 'admin@browser.test', password: 'admin password for browser tests' };

// `extraIni`: more lines for the configuration file, e.g. ['[waitingRoom]', 'proofOfWork=true'].
export async function startServer(extraIni = []) {
  const dir = mkdtempSync(join(tmpdir(), 'flashsale-browser-'));
  const config = join(dir, 'flashsale.ini');
  writeFileSync(config, [
    '[auth]', 'argon2OpsLimit=1', 'argon2MemLimitKiB=8192', 'tokenRateLimitAttempts=0', 'registrationRateLimitAttempts=0', 'hashingQueue=4096',
    '[waitingRoom]', 'joinLimitPerAddress=0',
    '[payments]', 'simulatedLatencyMs=20', ...extraIni, '',
  ].join('\n'));
  const child = spawn(process.env.FLASHSALE_BINARY, ['--headless', '--port', '0', '--data-dir', dir, '--config', config,
    '--no-demo', '--log-level', 'warning'], {
    env: { ...process.env, FLASHSALE_ADMIN_EMAIL: admin.email, FLASHSALE_ADMIN_PASSWORD: admin.password },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let errors = '';
  child.stderr.on('data', (d) => { errors += d; });
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${errors}`)), 30000);
    child.stdout.on('data', (d) => {
      output += d;
      const m = /serving at (http:\/\/\S+)/.exec(output);
      if (m) { clearTimeout(timer); resolve(m[1].replace(/\/$/, '')); }
    });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`server exited (${code}):\n${errors}`)); });
  });
  return {
    url,
    output: () => output,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 15000))]);
      }
      rmSync(dir, { recursive: true, force: true });
      // A sanitizer build reports on standard error only; a report at exit changes
      // nothing a page shows (tests/support/sanitizerreport.h does the same for the C++ suites).
      if (/ERROR: AddressSanitizer|ERROR: LeakSanitizer|WARNING: ThreadSanitizer|: runtime error: /.test(errors)) {
        throw new Error(`the server reported under its sanitizer:\n${errors}`);
      }
    },
  };
}

export class Api {
  constructor(base) { this.base = base; this.token = null; }

  async call(method, path, body, headers = {}) {
    const response = await fetch(this.base + path, {
      method, headers: { 'Content-Type': 'application/json', ...(this.token ? { Authorization: `Bearer ${this.token}` } : {}), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    let data = null;
    try { data = text ? JSON.parse(text) : null; } catch { data = text; }
    return { status: response.status, data, headers: response.headers };
  }

  async login(email, password) {
    const r = await this.call('POST', '/token', { username: email, password });
    if (r.status !== 200) throw new Error(`login ${email}: ${r.status} ${JSON.stringify(r.data)}`);
    this.token = r.data.accessToken;
    return r.data;
  }

  async product(name, stock, regularPrice = 200) {
    const r = await this.call('POST', '/products', { name, description: 'browser test', regularPrice, stock });
    if (r.status !== 201) throw new Error(`product: ${r.status} ${JSON.stringify(r.data)}`);
    return r.data.productId;
  }

  async sale(name, productId, quantity, perUserLimit, startInMs, salePrice = 100) {
    const start = new Date(Date.now() + startInMs);
    const end = new Date(start.getTime() + 3600_000);
    const r = await this.call('POST', '/sales', { name, productId, salePrice, quantity, perUserLimit,
      startTime: start.toISOString(), endTime: end.toISOString() });
    if (r.status !== 201) throw new Error(`sale: ${r.status} ${JSON.stringify(r.data)}`);
    return r.data;
  }

  async register(email, password, name) {
    const r = await this.call('POST', '/users', { email, password, name });
    if (r.status !== 202) throw new Error(`register ${email}: ${r.status} ${JSON.stringify(r.data)}`);
    return r.data;
  }

  // Every order of a sale, as the database holds them (admins list all orders).
  async ordersOf(saleId) {
    const r = await this.call('GET', '/orders?all=true&limit=1000');
    if (r.status !== 200) throw new Error(`orders: ${r.status}`);
    return r.data.filter((o) => String(o.saleId) === String(saleId));
  }
}
