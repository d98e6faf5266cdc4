// One sale, and the shopper's way through it: join the waiting room (with proof of work
// in a Web Worker when the server asks), wait with a live position, buy when admitted
// (one Idempotency-Key per attempt, reused on every retry of it), then follow the order
// to Confirmed, Failed or Expired. The ticket, the attempt and the order are kept in
// localStorage, so a reload or a second tab carries on where this one is.
import { ApiError, authed, newIdempotencyKey, request, session } from './api.js';
import { countdownWords, serverNow, waitWords } from './clock.js';
import { alertNow, announce, h, money, show } from './dom.js';
import { live } from './live.js';
import { countdown, priceLine, statusOf, stockBar } from './salesview.js';
import { orderState, problemWords } from './words.js';

const sleep = (ms, signal) => new Promise((resolve) => {
  const t = setTimeout(resolve, ms);
  signal.addEventListener('abort', () => { clearTimeout(t); resolve(); }, { once: true });
});

function stored(key) {
  try { return JSON.parse(localStorage.getItem(key) || 'null'); } catch { return null; }
}
function store(key, value) {
  if (value === null) localStorage.removeItem(key);
  else localStorage.setItem(key, JSON.stringify(value));
}

export function mountSale(main, { saleId, signal }) {
  const keys = () => {
    const base = `flashsale.${session.userKey}.${saleId}`;
    return { ticket: `${base}.ticket`, attempt: `${base}.attempt`, order: `${base}.order` };
  };
  const head = h('div', { class: 'sale-head' });
  const panel = h('section', { class: 'panel', id: 'panel', 'aria-labelledby': 'panel-title', tabindex: '-1' });
  const channel = h('p', { class: 'muted small', id: 'channel' });
  show(main, h('p', {}, h('a', { href: '#/' }, '← All sales')), head, panel, channel);
  // When the panel changes under the shopper's focus (the button just pressed is gone),
  // the focus stays in the panel rather than fall back to the top of the page.
  let focusInPanel = false;
  const onFocusIn = (e) => { focusInPanel = panel.contains(e.target); };
  const onPointerDown = (e) => { if (!panel.contains(e.target)) focusInPanel = false; };
  document.addEventListener('focusin', onFocusIn);
  document.addEventListener('pointerdown', onPointerDown);
  const showPanel = (...children) => {
    show(panel, ...children);
    const active = document.activeElement;
    if (focusInPanel && (!active || active === document.body)) panel.focus();
  };

  let sale = null;
  let finished = false; // sold out, ended or the order settled: nothing more to ask
  let state = 'loading';
  let statusTimer = null;
  let saleTimer = null;
  let tick = null;
  let statusInFlight = null;

  const title = (text) => h('h2', { id: 'panel-title' }, text);

  const setChannel = () => {
    channel.textContent = finished ? '' : live.live ? 'Updates arrive live.' : 'Updates every few seconds.';
  };

  // ---- the sale itself ----
  const renderHead = () => {
    const cd = countdown(sale, () => { loadSale(); if (state === 'waiting') refreshStatus(); });
    clearInterval(tick);
    tick = setInterval(() => { cd.tick(); panelTick(); }, 1000);
    show(head,
      h('h1', { tabindex: '-1' }, String(sale.productName || sale.name)),
      h('p', { class: 'sale-name' }, String(sale.name)),
      priceLine(sale), cd, stockBar(sale),
      h('p', { class: 'limit' }, `Up to ${sale.perUserLimit} per shopper`));
  };

  const loadSale = async () => {
    clearTimeout(saleTimer);
    try {
      const { data } = await request(`/sales/${encodeURIComponent(saleId)}`, { signal });
      const first = !sale;
      sale = data;
      renderHead();
      if (first) start();
      if (statusOf(sale) === 'SoldOut' && (state === 'waiting' || state === 'join')) soldOut();
      if (statusOf(sale) === 'Ended' && state !== 'order') ended();
    } catch (e) {
      if (e.name === 'AbortError') return;
      if (!sale) {
        show(head, h('h1', { tabindex: '-1' }, e.status === 404 ? 'No such sale' : 'The sale could not be loaded'),
          h('p', {}, e.status === 404 ? 'It may have been removed.' : problemWords(e)));
      }
    }
    if (!signal.aborted && !finished) saleTimer = setTimeout(loadSale, 5000);
  };

  let panelTick = () => {};

  // ---- what the shopper can do ----
  const start = async () => {
    if (!session.signedIn) {
      state = 'signin';
      const back = encodeURIComponent(`#/sale/${saleId}`);
      showPanel(title('Join the waiting room'),
        h('p', {}, 'Sign in to take your place in line.'),
        h('p', { class: 'actions' }, h('a', { class: 'button primary', href: `#/signin?to=${back}` }, 'Sign in'),
          ' ', h('a', { class: 'button', href: `#/register?to=${back}` }, 'Create an account')));
      return;
    }
    live.start();
    const orderId = stored(keys().order);
    if (orderId) {
      state = 'order';
      showPanel(title('Your order'), h('p', { role: 'status' }, 'Looking up your order…'));
      loadOrder(orderId);
      return;
    }
    if (stored(keys().ticket)) { state = 'waiting'; renderWaiting(null); refreshStatus(); return; }
    const status = statusOf(sale);
    if (status === 'SoldOut') { soldOut(); return; }
    if (status === 'Ended') { ended(); return; }
    renderJoin();
  };

  const renderJoin = (message = '') => {
    state = 'join';
    const early = statusOf(sale) === 'Scheduled';
    const button = h('button', { type: 'button', class: 'primary', id: 'join' }, early ? 'Join the line now' : 'Join the waiting room');
    button.addEventListener('click', () => join(button));
    showPanel(title('Waiting room'),
      h('p', {}, early ? 'The sale has not started: join now and your place is kept until it does. Places go in order of arrival.'
        : 'Join to get your place in line. Shoppers are let in to buy in order.'),
      message ? h('p', { class: 'error' }, message) : null,
      h('p', { class: 'actions' }, button));
  };

  // ---- joining, with proof of work when asked ----
  const solve = (challenge, difficulty, progress) => new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./pow-worker.js', import.meta.url));
    const stop = () => { worker.terminate(); reject(new DOMException('aborted', 'AbortError')); };
    signal.addEventListener('abort', stop, { once: true });
    worker.onmessage = (e) => {
      if (e.data.done) {
        signal.removeEventListener('abort', stop);
        worker.terminate();
        resolve(e.data.nonce);
      } else {
        progress(Math.min(0.99, e.data.tried / e.data.expected));
      }
    };
    worker.onerror = (e) => { worker.terminate(); reject(e); };
    worker.postMessage({ challenge, difficulty });
  });

  const join = async (button) => {
    button.disabled = true;
    let body;
    for (let attempt = 0; attempt < 5 && !signal.aborted; attempt++) {
      try {
        const { data } = await authed(`/sales/${encodeURIComponent(saleId)}/queue`, { method: 'POST', body, signal });
        store(keys().ticket, data.ticket);
        alertNow(data.admitted ? 'You are in: it is your turn to buy.' : `You joined the line. Your place: ${data.position}.`);
        applyStatus(data);
        return;
      } catch (e) {
        if (e.name === 'AbortError') return;
        if (e.type === 'proof-of-work' && e.status === 403) {
          body = await proofOfWork();
          if (!body) return;
          continue;
        }
        if (e.type === 'sold-out') { soldOut(); return; }
        if ((e.status === 429 || e.status === 503 || e.networkError) && attempt < 4) {
          const wait = e.retryAfterSeconds ?? 2;
          showPanel(title('Waiting room'), h('p', { role: 'status' }, `${problemWords(e)} Trying again in ${wait} s…`));
          await sleep(wait * 1000, signal);
          continue;
        }
        renderJoin(problemWords(e));
        return;
      }
    }
  };

  const proofOfWork = async () => {
    const bar = h('progress', { max: 1, value: 0, 'aria-label': 'Checking this browser' });
    showPanel(title('Waiting room'), h('p', { role: 'status' }, 'Checking this browser before it joins (a few seconds)…'), bar);
    try {
      const { data } = await authed(`/sales/${encodeURIComponent(saleId)}/queue/challenge`, { signal });
      const issued = performance.now();
      const nonce = await solve(data.challenge, Number(data.difficulty) || 0, (p) => { bar.value = p; });
      bar.value = 1;
      // A join sooner than half a second after its challenge looks like a bot's: wait out the rest.
      const elapsed = performance.now() - issued;
      if (elapsed < 700) await sleep(700 - elapsed, signal);
      return { challenge: data.challenge, nonce };
    } catch (e) {
      if (e.name !== 'AbortError') renderJoin(e instanceof ApiError ? problemWords(e) : 'This browser could not do the check.');
      return null;
    }
  };

  // ---- waiting ----
  const renderWaiting = (q) => {
    state = 'waiting';
    const parts = [title('You are in line')];
    if (!q) {
      parts.push(h('p', { role: 'status' }, 'Finding your place…'));
    } else {
      const startsIn = Date.parse(sale.startTime) - serverNow();
      parts.push(h('dl', { class: 'queue' },
        h('div', {}, h('dt', {}, 'Your place'), h('dd', { id: 'position' }, String(q.position))),
        h('div', {}, h('dt', {}, 'People ahead of you'), h('dd', { id: 'ahead' }, String(q.ahead))),
        h('div', {}, h('dt', {}, 'Estimated wait'), h('dd', { id: 'wait' }, q.paused ? 'paused by the shop' : waitWords(q.estimatedWaitSeconds)))));
      parts.push(h('p', { class: 'muted' }, startsIn > 0
        ? 'The line opens when the sale starts. Keep this page open; your place is kept if you reload or come back.'
        : 'Keep this page open: it tells you when it is your turn. Your place is kept if you reload or come back.'));
      parts.push(h('p', { class: 'muted small' }, `Ticket ${q.ticket}`));
    }
    showPanel(...parts);
    setChannel();
  };

  let lastSpokenPosition = null;
  const applyStatus = (q) => {
    if (q.status === 'admitted') { renderBuy(q); return; }
    if (q.status === 'soldOut') { soldOut(); return; }
    if (q.status === 'closed') { ended(); return; }
    if (q.status === 'expired') {
      finish();
      showPanel(title('Your turn has passed'), h('p', {}, 'You were let in, but the time to buy ran out.'),
        h('p', {}, h('a', { href: '#/' }, 'See the other sales')));
      announce('Your turn to buy has passed.');
      return;
    }
    renderWaiting(q);
    // Announce real changes only: a new place, not every refresh of the same one.
    if (q.position !== lastSpokenPosition) {
      lastSpokenPosition = q.position;
      announce(`Your place in line: ${q.position}. Estimated wait: ${waitWords(q.estimatedWaitSeconds)}.`);
    }
    scheduleStatus();
  };

  const scheduleStatus = (ms) => {
    clearTimeout(statusTimer);
    if (finished || signal.aborted || state !== 'waiting') return;
    // Live: the channel says when positions move; a slow look now and then is a safety net.
    statusTimer = setTimeout(refreshStatus, ms ?? (live.live ? 15000 : 2000));
  };

  let notBefore = 0; // after a 429 or 503: no status request before this (Retry-After)
  const refreshStatus = async () => {
    if (statusInFlight || finished) return;
    if (Date.now() < notBefore) { scheduleStatus(notBefore - Date.now()); return; }
    const ticket = stored(keys().ticket);
    if (!ticket) { renderJoin(); return; }
    statusInFlight = (async () => {
      try {
        const { data } = await authed(`/sales/${encodeURIComponent(saleId)}/queue/${encodeURIComponent(ticket)}`, { signal });
        applyStatus(data);
      } catch (e) {
        if (e.name === 'AbortError') return;
        if (e.status === 404) { store(keys().ticket, null); renderJoin('Your ticket was not found; join again.'); return; }
        const waitMs = (e.retryAfterSeconds ?? 3) * 1000; // 429 or 503: as long as the server asks
        notBefore = Date.now() + waitMs;
        scheduleStatus(waitMs);
      }
    })();
    await statusInFlight;
    statusInFlight = null;
  };

  // ---- buying ----
  const renderBuy = (q, message = '') => {
    const firstTime = state !== 'buy';
    state = 'buy';
    clearTimeout(statusTimer);
    const max = Math.max(1, Math.min(Number(sale.perUserLimit) || 1, Number(sale.remainingStock) || 1));
    const attempt = stored(keys().attempt);
    const select = h('select', { id: 'quantity', name: 'quantity' },
      Array.from({ length: max }, (_, i) => h('option', { value: i + 1, selected: attempt && attempt.quantity === i + 1 }, String(i + 1))));
    const buy = h('button', { type: 'submit', class: 'primary', id: 'buy' }, 'Buy now');
    const left = h('p', { class: 'admission', id: 'admission-left' });
    const error = h('p', { class: 'error', id: 'buy-error' }, message);
    const form = h('form', { class: 'buy' },
      h('p', { class: 'field' }, h('label', { for: 'quantity' }, 'Quantity'), select),
      h('p', { class: 'price-total', 'aria-live': 'polite' }),
      error, h('p', { class: 'actions' }, buy));
    const total = form.querySelector('.price-total');
    const showTotal = () => { total.textContent = `Total: ${money(Number(select.value) * Number(sale.salePrice))}`; };
    select.addEventListener('change', showTotal);
    showTotal();
    const expires = Date.parse(q.admissionExpiresAt);
    let askedAtEnd = false;
    panelTick = () => {
      if (state !== 'buy') return;
      const ms = expires - serverNow();
      left.textContent = ms > 0 ? `Your turn ends in ${countdownWords(ms)}.` : 'Your turn has ended.';
      if (ms > 0) return;
      buy.disabled = true;
      // The turn is over: the ticket's status says so (expired), unless a purchase is on its way.
      if (!askedAtEnd && !buying) { askedAtEnd = true; refreshStatus(); }
    };
    panelTick();
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      purchase(q.admissionToken, Number(select.value), buy, error);
    });
    showPanel(title('It is your turn'), h('p', {}, 'You are in. Choose how many and buy before your turn ends.'), left, form);
    if (firstTime) {
      alertNow('It is your turn: you can buy now.');
      select.focus();
    }
    setChannel();
  };

  let buying = false;
  const purchase = async (admissionToken, quantity, button, error) => {
    if (buying) return; // a double click is one attempt
    buying = true;
    button.disabled = true;
    error.textContent = '';
    // One key per attempt, kept until the attempt has its answer, so every retry
    // (network error, 503, a reload mid-way) is the same purchase to the server.
    let attempt = stored(keys().attempt);
    if (!attempt || attempt.quantity !== quantity) attempt = { key: newIdempotencyKey(), quantity };
    store(keys().attempt, attempt);
    const status = h('p', { role: 'status', id: 'buy-status' }, 'Buying…');
    button.after(status);
    try {
      for (let tries = 0; ; tries++) {
        try {
          const { data } = await authed(`/sales/${encodeURIComponent(saleId)}/purchase`, {
            method: 'POST', body: { quantity }, signal,
            headers: { 'Idempotency-Key': attempt.key, 'Admission-Token': admissionToken },
          });
          store(keys().order, data.orderId);
          store(keys().attempt, null);
          followOrder(data);
          return;
        } catch (e) {
          if (e.name === 'AbortError') return;
          if ((e.networkError || e.status === 503) && tries < 6) {
            status.textContent = 'The connection hiccupped: trying the same purchase again (you will not be charged twice)…';
            await sleep(Math.min(4000, 500 * 2 ** tries), signal);
            continue;
          }
          if (e.type === 'sold-out') { store(keys().attempt, null); soldOut(); return; }
          status.remove();
          error.textContent = problemWords(e);
          alertNow(problemWords(e));
          if (e.status === 429) {
            // Nothing was bought; the same attempt may go again once the wait is over.
            setTimeout(() => { button.disabled = false; }, (e.retryAfterSeconds ?? 5) * 1000);
            return;
          }
          store(keys().attempt, null);
          if (e.status === 403) {
            // The admission is gone (or the sale is): the ticket with it. An ended sale says
            // so; otherwise the shopper may rejoin, as the words say.
            store(keys().ticket, null);
            if (e.type === 'sale-ended') ended();
            else renderJoin(problemWords(e));
            return;
          }
          button.disabled = e.type === 'purchase-limit';
          return;
        }
      }
    } finally {
      buying = false;
    }
  };

  // ---- the order ----
  let orderTimer = null;
  const followOrder = (order) => {
    state = 'order';
    clearTimeout(statusTimer);
    const st = orderState(order.status);
    const terminal = order.status !== 'Pending';
    showPanel(title('Your order'),
      h('p', { class: `order-status order-${String(order.status).toLowerCase()}`, id: 'order-status' }, st.title),
      h('p', {}, st.text),
      h('p', { class: 'muted small' }, `Order ${order.orderId}${order.quantity ? ` · ${order.quantity} ×` : ''}`),
      h('p', {}, h('a', { href: '#/orders' }, 'See all my orders')));
    announce(`Order ${st.title}. ${st.text}`);
    if (terminal) {
      finish();
      store(keys().ticket, null);
      return;
    }
    clearTimeout(orderTimer);
    orderTimer = setTimeout(() => loadOrder(order.orderId), live.live ? 5000 : 1500);
  };
  const loadOrder = async (orderId) => {
    try {
      const { data } = await authed(`/orders/${encodeURIComponent(orderId)}`, { signal });
      followOrder(data);
    } catch (e) {
      if (e.name === 'AbortError') return;
      if (e.status === 404) { store(keys().order, null); renderJoin(); return; }
      orderTimer = setTimeout(() => loadOrder(orderId), (e.retryAfterSeconds ?? 3) * 1000);
    }
  };

  // ---- the ends ----
  const finish = () => {
    finished = true;
    clearTimeout(statusTimer);
    clearTimeout(saleTimer);
    setChannel();
  };
  const soldOut = () => {
    if (state === 'order') return;
    state = 'soldout';
    finish();
    // The server said so (push, status or 409): show it in the sale's head too, without
    // asking again.
    if (sale) {
      sale = { ...sale, status: 'SoldOut', remainingStock: 0 };
      renderHead();
    }
    store(keys().ticket, null);
    showPanel(title('Sold out'), h('p', {}, 'Every unit of this sale is taken. Nothing was charged to you.'),
      h('p', {}, h('a', { href: '#/' }, 'See the other sales')));
    announce('Sold out. Every unit of this sale is taken.');
  };
  const ended = () => {
    if (state === 'order') return;
    state = 'ended';
    finish();
    showPanel(title('This sale has ended'), h('p', {}, h('a', { href: '#/' }, 'See the other sales')));
  };

  // ---- live messages ----
  const onMessage = (e) => {
    const m = e.detail;
    if (String(m.saleId) !== String(saleId) && !m.orderId) return;
    if (m.type === 'QueueSoldOut') { soldOut(); return; }
    if (m.type === 'QueuePositions' || m.type === 'FlashSaleStarted') {
      if (state === 'waiting') refreshStatus();
      return;
    }
    if (m.orderId && state === 'order' && String(m.orderId) === String(stored(keys().order))) loadOrder(m.orderId);
  };
  const onLive = () => {
    setChannel();
    if (live.live && state === 'waiting') refreshStatus(); // catch up on what was missed
  };
  const onSession = () => { if (!session.signedIn && !signal.aborted) start(); };
  live.addEventListener('message', onMessage);
  live.addEventListener('state', onLive);
  session.addEventListener('change', onSession);
  signal.addEventListener('abort', () => {
    clearTimeout(statusTimer); clearTimeout(saleTimer); clearTimeout(orderTimer); clearInterval(tick);
    live.removeEventListener('message', onMessage);
    live.removeEventListener('state', onLive);
    session.removeEventListener('change', onSession);
    document.removeEventListener('focusin', onFocusIn);
    document.removeEventListener('pointerdown', onPointerDown);
  });
  // Another tab of this shopper moved on (bought, or joined): follow it.
  const onStorage = (e) => {
    if (!e.key || !e.key.startsWith(`flashsale.${session.userKey}.${saleId}.`)) return;
    if (e.key.endsWith('.order') && e.newValue && state !== 'order') followOrder({ orderId: JSON.parse(e.newValue), status: 'Pending' });
    else if (e.key.endsWith('.ticket') && e.newValue && state === 'join') { state = 'waiting'; refreshStatus(); }
  };
  window.addEventListener('storage', onStorage);
  signal.addEventListener('abort', () => window.removeEventListener('storage', onStorage));

  loadSale();
}
