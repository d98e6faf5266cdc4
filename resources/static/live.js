// The server's live channel (ws[s]://<this host>/notifications): queue positions, sold
// out, sale starts and the shopper's own order changes. Reconnects with a growing pause;
// `live` says whether it is open, so callers fall back to polling while it is not. The
// server closes the channel when its access token expires (4001): each refreshed token
// is sent over the socket ({type: 'renew'}) so that it stays open, and a 4001 close
// reconnects at once with a fresh token.
import { session } from './api.js';

class LiveChannel extends EventTarget {
  constructor() {
    super();
    this.socket = null;
    this.live = false;
    this.retryMs = 1000;
    this.timer = null;
    this.wanted = false;
  }

  start() {
    this.wanted = true;
    if (!this.socket) this.open();
  }

  stop() {
    this.wanted = false;
    clearTimeout(this.timer);
    if (this.socket) this.socket.close();
    this.socket = null;
    this.setLive(false);
  }

  async open() {
    if (!this.wanted || !session.signedIn) return;
    let token;
    try { token = await session.accessToken(); } catch { this.later(); return; }
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/notifications`;
    let socket;
    try { socket = new WebSocket(url); } catch { this.later(); return; }
    this.socket = socket;
    // The token goes in the first message, not the URL, so it stays out of access logs.
    socket.addEventListener('open', () => socket.send(JSON.stringify({ accessToken: token })));
    socket.addEventListener('message', (e) => {
      let message;
      try { message = JSON.parse(e.data); } catch { return; }
      if (message.type === 'welcome') {
        this.retryMs = 1000;
        this.setLive(true);
      }
      this.dispatchEvent(new CustomEvent('message', { detail: message }));
    });
    socket.addEventListener('close', (e) => {
      if (this.socket === socket) this.socket = null;
      this.setLive(false);
      if (e.code === 4001) this.retryMs = 1000; // the token expired: not the server's trouble
      this.later();
    });
  }

  later() {
    clearTimeout(this.timer);
    if (!this.wanted) return;
    this.timer = setTimeout(() => this.open(), this.retryMs);
    this.retryMs = Math.min(this.retryMs * 2, 30_000);
  }

  renew(token) {
    if (this.socket && this.live) this.socket.send(JSON.stringify({ type: 'renew', accessToken: token }));
  }

  setLive(live) {
    if (this.live === live) return;
    this.live = live;
    this.dispatchEvent(new Event('state'));
  }
}

export const live = new LiveChannel();
session.addEventListener('change', () => {
  if (!session.signedIn) live.stop();
});
session.addEventListener('token', (e) => live.renew(e.detail));
