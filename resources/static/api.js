// The public HTTP API, and the shopper's session. Only documented endpoints are used.
//
// Where tokens live (docs/storefront.md says why): the session - access token, its
// expiry and the refresh token - is kept in localStorage, so a reload and a second tab
// keep the shopper signed in. Only this origin's scripts can read it, and this origin
// runs only its own files (a strict Content-Security-Policy, no inline script, nothing
// from elsewhere, no API text ever parsed as HTML). Signing out removes it.
import { observeServerTime } from './clock.js';

const SESSION_KEY = 'flashsale.session';
// Refresh a minute before the access token expires, or a third of its life before when
// the server gives tokens shorter lives (auth/accessTokenTtlSeconds): a margin as long as
// the whole life would refresh at every request and every second.
const REFRESH_MARGIN_MS = 60_000;
const refreshDue = (s) => s.refreshAt ?? s.accessExpiresAt - REFRESH_MARGIN_MS;

export class ApiError extends Error {
  // status 0: no answer (network down, connection dropped).
  constructor(status, problem = {}, retryAfterSeconds = null) {
    super(problem.detail || problem.title || (status ? `HTTP ${status}` : 'No connection to the shop'));
    this.status = status;
    this.problem = problem;
    this.type = typeof problem.type === 'string' ? problem.type.replace(/^\/problems\//, '') : '';
    this.retryAfterSeconds = retryAfterSeconds;
  }
  get networkError() { return this.status === 0; }
}

function retryAfterOf(response) {
  const value = response.headers.get('Retry-After');
  if (!value) return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const at = Date.parse(value);
  return Number.isFinite(at) ? Math.max(0, Math.ceil((at - Date.now()) / 1000)) : null;
}

// One request. Resolves {status, data, headers}; rejects with ApiError.
export async function request(path, { method = 'GET', body, headers = {}, token, signal } = {}) {
  const init = { method, headers: { Accept: 'application/json', ...headers }, signal, cache: 'no-store' };
  if (token) init.headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const sentAt = Date.now();
  let response;
  try {
    response = await fetch(path, init);
  } catch (e) {
    if (e && e.name === 'AbortError') throw e;
    throw new ApiError(0);
  }
  let data = null;
  const type = response.headers.get('Content-Type') || '';
  if (type.includes('json')) {
    try { data = await response.json(); } catch { data = null; }
  }
  const receivedAt = Date.now();
  const serverTime = data && !Array.isArray(data) ? data.serverTime : (Array.isArray(data) && data[0] ? data[0].serverTime : null);
  if (serverTime) observeServerTime(serverTime, sentAt, receivedAt);
  if (!response.ok) throw new ApiError(response.status, data || {}, retryAfterOf(response));
  return { status: response.status, data, headers: response.headers };
}

// The next change of the session by another tab, or `ms` later.
function sessionChange(ms) {
  return new Promise((resolve) => {
    const done = () => { clearTimeout(timer); window.removeEventListener('storage', changed); resolve(); };
    const changed = (e) => { if (e.key === SESSION_KEY) done(); };
    const timer = setTimeout(done, ms);
    window.addEventListener('storage', changed);
  });
}

// The signed-in shopper, shared by every tab of this browser.
class Session extends EventTarget {
  constructor() {
    super();
    this.state = this.read();
    this.refreshing = null;
    this.timer = null;
    // Another tab signed in, refreshed or signed out.
    window.addEventListener('storage', (e) => {
      if (e.key !== SESSION_KEY) return;
      const was = this.signedIn;
      const token = this.state && this.state.accessToken;
      this.state = this.read();
      this.schedule();
      if (was !== this.signedIn) this.dispatchEvent(new Event('change'));
      else if (this.state && this.state.accessToken !== token) {
        this.dispatchEvent(new CustomEvent('token', { detail: this.state.accessToken }));
      }
    });
    this.schedule();
  }

  read() {
    try {
      const s = JSON.parse(localStorage.getItem(SESSION_KEY) || 'null');
      return s && s.refreshToken ? s : null;
    } catch { return null; }
  }

  write(state) {
    this.state = state;
    if (state) localStorage.setItem(SESSION_KEY, JSON.stringify(state));
    else localStorage.removeItem(SESSION_KEY);
    this.schedule();
  }

  get signedIn() { return !!this.state; }
  get name() { return this.state ? this.state.name || this.state.email : ''; }
  get userKey() { return this.state ? String(this.state.userId || this.state.email) : ''; }

  schedule() {
    clearTimeout(this.timer);
    if (!this.state) return;
    const due = refreshDue(this.state) - Date.now();
    this.timer = setTimeout(() => this.accessToken().catch(() => {}), Math.max(1000, due));
  }

  async signIn(email, password) {
    const { data } = await request('/token', { method: 'POST', body: { username: email, password } });
    const state = this.stateFrom(data, { email });
    try {
      const me = await request('/user/me', { token: data.accessToken });
      state.userId = me.data.userId;
      state.name = me.data.name;
    } catch { /* the name is only for show */ }
    this.write(state);
    this.dispatchEvent(new Event('change'));
  }

  // POST /users answers 202 whether the e-mail is new or has an account (which is told by
  // e-mail instead): a new account is ready at once, so signing in says which it was.
  async register(email, password, name) {
    await request('/users', { method: 'POST', body: { email, password, name } });
    await this.signIn(email, password);
  }

  signOut() {
    this.write(null);
    this.dispatchEvent(new Event('change'));
  }

  stateFrom(data, previous) {
    const now = Date.now();
    const lifeMs = (Number(data.expiresIn) || 900) * 1000;
    return { ...previous, accessToken: data.accessToken, refreshToken: data.refreshToken,
      accessExpiresAt: now + lifeMs, refreshAt: now + lifeMs - Math.min(REFRESH_MARGIN_MS, lifeMs / 3) };
  }

  // A valid access token, refreshed first when it is about to expire. Tabs take turns
  // (Web Locks where the browser has them) and a tab that finds the token already
  // refreshed by another uses that one; the server also answers a near-simultaneous
  // second use of a refresh token with the same new pair.
  async accessToken() {
    if (!this.state) throw new ApiError(401, { title: 'Not signed in', detail: 'Sign in first.' });
    if (refreshDue(this.state) > Date.now()) return this.state.accessToken;
    if (!this.refreshing) {
      const run = () => this.refresh();
      this.refreshing = (navigator.locks ? this.inTurn(run) : run())
        .finally(() => { this.refreshing = null; });
    }
    return this.refreshing;
  }

  // Runs `run` holding the tabs' refresh lock. Chromium hands a localStorage change to the
  // other tabs' processes a moment later, so a tab that had to wait for the lock may get it
  // before the session the other tab just wrote: it waits for that (a second at most)
  // rather than send the refresh token the other tab has just used.
  async inTurn(run) {
    const seen = this.read();
    const free = await navigator.locks.request('flashsale-refresh', { ifAvailable: true },
      async (lock) => (lock ? { token: await run() } : null));
    if (free) return free.token;
    return navigator.locks.request('flashsale-refresh', async () => {
      const now = this.read();
      if (seen && now && now.refreshToken === seen.refreshToken) await sessionChange(1000);
      return run();
    });
  }

  async refresh() {
    const current = this.read();
    if (!current) { this.signOut(); throw new ApiError(401, { title: 'Signed out' }); }
    if (refreshDue(current) > Date.now()) {
      this.state = current; // another tab refreshed while this one waited
      return current.accessToken;
    }
    try {
      const { data } = await request('/token', { method: 'POST',
        body: { grantType: 'refresh_token', refreshToken: current.refreshToken } });
      this.write(this.stateFrom(data, current));
      this.dispatchEvent(new CustomEvent('token', { detail: data.accessToken }));
      return data.accessToken;
    } catch (e) {
      if (e.status === 401 || e.status === 400) this.signOut();
      throw e;
    }
  }
}

export const session = new Session();

// A request as the signed-in shopper; a 401 (token revoked) signs out.
export async function authed(path, options = {}) {
  const token = await session.accessToken();
  try {
    return await request(path, { ...options, token });
  } catch (e) {
    if (e.status === 401) session.signOut();
    throw e;
  }
}

// A fresh Idempotency-Key: 128 random bits, hex. getRandomValues works on plain http
// too, where randomUUID is missing.
export function newIdempotencyKey() {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
