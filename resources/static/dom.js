// Building the page from data without ever parsing text as HTML: every string from the
// API goes in through textContent or an attribute, so a product called
// "<img src=x onerror=…>" is shown as those characters.

// h('p', {class: 'note', 'aria-live': 'polite'}, 'text', child, …)
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') {
      el.addEventListener(name.slice(2), value);
    } else if (value === true) {
      el.setAttribute(name, '');
    } else {
      el.setAttribute(name, String(value));
    }
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export function clear(el) {
  while (el.firstChild) el.firstChild.remove();
  return el;
}

// Replaces what `el` holds.
export function show(el, ...children) {
  clear(el);
  return append(el, children);
}

const announcer = () => document.getElementById('announcer');
const alerter = () => document.getElementById('alerter');
let lastAnnounced = '';

// Said by screen readers without moving the focus (aria-live="polite"); a repeat of the
// last message is skipped so that a steady position is not read out again and again.
export function announce(text) {
  if (text === lastAnnounced) return;
  lastAnnounced = text;
  const el = announcer();
  if (el) el.textContent = text;
}

// Said at once (role="alert"): errors and the moment of admission.
export function alertNow(text) {
  const el = alerter();
  if (!el) return;
  el.textContent = '';
  // A fresh text node makes the alert speak even when the words repeat.
  requestAnimationFrame(() => { el.textContent = text; });
}

export function money(amount) {
  const n = Number(amount);
  if (!Number.isFinite(n)) return '';
  return n.toLocaleString('en', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
}
