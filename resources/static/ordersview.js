// "My orders": the shopper's orders, newest first, each with what its state means.
import { authed, request } from './api.js';
import { h, money, show } from './dom.js';
import { orderState, problemWords } from './words.js';

export function orderCard(order, productName) {
  const state = orderState(order.status);
  return h('li', { class: `order order-${String(order.status).toLowerCase()}`, 'data-order-id': order.orderId },
    h('h2', {}, productName ? String(productName) : `Sale ${order.saleId}`),
    h('p', { class: 'order-state' }, h('strong', {}, state.title), ` · ${order.quantity} × · total ${money(order.total)}`),
    h('p', { class: 'muted' }, state.text),
    h('p', { class: 'muted small' }, `Order ${order.orderId} · ${new Date(order.createdAt).toLocaleString()}`));
}

export function mountOrders(main, { signal }) {
  const list = h('ul', { class: 'orders', 'aria-label': 'My orders', 'aria-live': 'polite' });
  const note = h('p', { class: 'muted' }, 'Loading your orders…');
  show(main, h('h1', { tabindex: '-1' }, 'My orders'), note, list);
  let timer = null;
  const load = async () => {
    try {
      const [{ data: orders }, sales] = await Promise.all([authed('/orders', { signal }),
        request('/sales?all=true', { signal }).then((r) => r.data).catch(() => [])]);
      const names = new Map((sales || []).map((s) => [s.saleId, s.productName || s.name]));
      show(list, (orders || []).map((o) => orderCard(o, names.get(o.saleId))));
      note.textContent = orders && orders.length ? '' : 'No orders yet.';
      // Pending orders change within seconds: look again until none is.
      if ((orders || []).some((o) => o.status === 'Pending') && !signal.aborted) timer = setTimeout(load, 2000);
    } catch (e) {
      if (e.name !== 'AbortError') note.textContent = problemWords(e);
    }
  };
  signal.addEventListener('abort', () => clearTimeout(timer));
  load();
}
