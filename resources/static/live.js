// The server's live channel (ws[s]://<this host>/notifications): queue positions, sold
// out, sale starts and the shopper's own order changes. Reconnects with a growing pause;
// `live` says whether it is open, so callers fall back to polling while it is not.
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
    socket.addEventListener('close', () => {
      if (this.socket === socket) this.socket = null;
      this.setLive(false);
      this.later();
    });
  }

  later() {
    clearTimeout(this.timer);
    if (!this.wanted) return;
    this.timer = setTimeout(() => this.open(), this.retryMs);
    this.retryMs = Math.min(this.retryMs * 2, 30_000);
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
