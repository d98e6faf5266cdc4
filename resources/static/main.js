// The storefront's entry point: the header's account links and a small router over the
// location's hash (#/, #/sale/7, #/orders, #/signin, #/register). Each view gets an
// AbortSignal that ends its timers and requests when the shopper moves on.
import { session } from './api.js';
import { mountAccount } from './accountview.js';
import { h, show } from './dom.js';
import { mountOrders } from './ordersview.js';
import { mountSale } from './saleview.js';
import { mountSales } from './salesview.js';

const main = document.getElementById('main');
const nav = document.getElementById('account-nav');
let current = null;
let firstRoute = true;

function renderNav() {
  if (session.signedIn) {
    const out = h('button', { type: 'button', class: 'link' }, 'Sign out');
    out.addEventListener('click', () => { session.signOut(); location.hash = '#/'; });
    show(nav, h('span', { class: 'who' }, `Signed in as ${session.name}`), ' ',
      h('a', { href: '#/orders' }, 'My orders'), ' ', out);
  } else {
    show(nav, h('a', { href: '#/signin' }, 'Sign in'), ' ', h('a', { href: '#/register' }, 'Create account'));
  }
}

function route() {
  if (current) current.abort();
  current = new AbortController();
  const signal = current.signal;
  const [path, query = ''] = (location.hash.replace(/^#/, '') || '/').split('?');
  const params = new URLSearchParams(query);
  const parts = path.split('/').filter(Boolean);
  const returnTo = params.get('to');
  const safeReturn = returnTo && returnTo.startsWith('#/') ? returnTo : null;
  if (parts[0] === 'sale' && /^\d+$/.test(parts[1] || '')) mountSale(main, { saleId: parts[1], signal });
  else if (parts[0] === 'orders') {
    if (session.signedIn) mountOrders(main, { signal });
    else mountAccount(main, { mode: 'signin', returnTo: '#/orders' });
  } else if (parts[0] === 'signin' || parts[0] === 'register') mountAccount(main, { mode: parts[0], returnTo: safeReturn });
  else mountSales(main, { signal });
  // After a move (not on the first load), put the focus at the top of the new view, for
  // keyboard and screen-reader users: its heading, or the main region while it loads.
  const heading = main.querySelector('h1');
  if (!firstRoute) (heading || main).focus();
  firstRoute = false;
  document.title = heading ? `${heading.textContent} · FlashSale` : 'FlashSale';
}

session.addEventListener('change', () => {
  renderNav();
  if (!session.signedIn && location.hash.startsWith('#/orders')) location.hash = '#/';
});
window.addEventListener('hashchange', route);
renderNav();
route();
