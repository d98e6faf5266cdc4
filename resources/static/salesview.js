// The list of sales: upcoming, live and sold out, with the sale price against the
// regular price, the per-shopper limit, the stock left as a bar and a countdown on the
// server's clock. Refreshed every few seconds while shown, and at each countdown's end.
import { request } from './api.js';
import { countdownWords, serverNow } from './clock.js';
import { h, money, show } from './dom.js';
import { saleStatusWords } from './words.js';

export function stockBar(sale) {
  const total = Math.max(1, Number(sale.quantity) || 1);
  const left = Math.max(0, Number(sale.remainingStock) || 0);
  return h('div', { class: 'stock' },
    h('progress', { max: total, value: left, 'aria-label': `Stock left for ${sale.productName || sale.name}` }),
    h('span', { class: 'stock-text' }, left === 0 ? 'None left' : `${left} of ${total} left`));
}

export function priceLine(sale) {
  const regular = Number(sale.regularPrice);
  const price = Number(sale.salePrice);
  const off = regular > 0 && price < regular ? Math.round((1 - price / regular) * 100) : 0;
  return h('p', { class: 'price' },
    h('span', { class: 'now' }, money(price)),
    off ? h('s', { class: 'was', 'aria-label': `regular price ${money(regular)}` }, money(regular)) : null,
    off ? h('span', { class: 'off' }, `−${off}%`) : null);
}

// "Starts in 4 min 09 s" / "Ends in 1 h 10 min" / "Sold out"; updates itself.
export function countdown(sale, onZero) {
  const el = h('p', { class: 'countdown', 'data-countdown': '' });
  const start = Date.parse(sale.startTime);
  const end = Date.parse(sale.endTime);
  let fired = false;
  const tick = () => {
    const now = serverNow();
    let text;
    if (sale.status === 'SoldOut' || Number(sale.remainingStock) === 0) text = 'Sold out';
    else if (now < start) text = `Starts in ${countdownWords(start - now)}`;
    else if (now < end) text = `Live: ends in ${countdownWords(end - now)}`;
    else text = 'Ended';
    el.textContent = text;
    if (!fired && onZero && ((sale.status === 'Scheduled' && now >= start) || (sale.status === 'Active' && now >= end))) {
      fired = true;
      onZero();
    }
  };
  tick();
  el.tick = tick;
  return el;
}

export function statusOf(sale) {
  const now = serverNow();
  if (sale.status === 'SoldOut' || Number(sale.remainingStock) === 0) return 'SoldOut';
  if (now >= Date.parse(sale.endTime)) return 'Ended';
  if (now >= Date.parse(sale.startTime)) return 'Active';
  return 'Scheduled';
}

export function mountSales(main, { signal }) {
  const list = h('ul', { class: 'sales', 'aria-label': 'Sales' });
  const note = h('p', { class: 'muted' });
  show(main, h('h1', { tabindex: '-1' }, 'Flash sales'), note, list);
  let countdowns = [];
  let timer = null;

  const render = (sales) => {
    countdowns = [];
    const order = { Active: 0, Scheduled: 1, SoldOut: 2, Ended: 3 };
    sales.sort((a, b) => order[statusOf(a)] - order[statusOf(b)] || Date.parse(a.startTime) - Date.parse(b.startTime));
    show(list, sales.map((sale) => {
      const status = statusOf(sale);
      const cd = countdown(sale, () => load());
      countdowns.push(cd);
      return h('li', { class: `sale sale-${status.toLowerCase()}`, 'data-sale-id': sale.saleId },
        h('h2', {}, h('a', { href: `#/sale/${encodeURIComponent(sale.saleId)}` }, String(sale.productName || sale.name))),
        h('p', { class: 'sale-name' }, String(sale.name)),
        h('p', { class: `badge badge-${status.toLowerCase()}` }, saleStatusWords[status]),
        priceLine(sale),
        cd,
        stockBar(sale),
        h('p', { class: 'limit' }, `Up to ${sale.perUserLimit} per shopper`));
    }));
    note.textContent = sales.length ? '' : 'No sales right now. Come back soon.';
  };

  const load = async () => {
    clearTimeout(timer);
    try {
      const { data } = await request('/sales', { signal });
      render(Array.isArray(data) ? data : []);
    } catch (e) {
      if (e.name === 'AbortError') return;
      note.textContent = 'The sales could not be loaded; trying again.';
    }
    if (!signal.aborted) timer = setTimeout(load, 5000);
  };
  const ticker = setInterval(() => countdowns.forEach((c) => c.tick()), 1000);
  signal.addEventListener('abort', () => { clearTimeout(timer); clearInterval(ticker); });
  load();
}
