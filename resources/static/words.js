// What each answer means for the shopper, in plain words.
export const orderStates = {
  Pending: { title: 'Reserved: payment in progress', text: 'Your unit is held for you while the payment goes through. This usually takes a few seconds.' },
  Confirmed: { title: 'Confirmed', text: 'Paid and confirmed. The unit is yours.' },
  Failed: { title: 'Not completed', text: 'The payment did not go through. Your card was not charged; the unit went back on sale.' },
  Expired: { title: 'Expired', text: 'The reservation ran out before the payment finished. You were not charged; the unit went back on sale.' },
};

export function orderState(status) {
  return orderStates[status] || { title: String(status || 'Unknown'), text: '' };
}

// A refused request in plain words, from its problem details.
export function problemWords(error) {
  switch (error.type) {
  case 'sold-out': return 'Sold out: every unit of this sale is taken.';
  case 'insufficient-stock': return 'Not enough units are left for that quantity; try fewer.';
  case 'purchase-limit': return 'You have reached this sale\'s limit per shopper.';
  case 'rate-limited': return `Too many tries at once. Please wait ${error.retryAfterSeconds ?? 'a few'} seconds.`;
  case 'not-admitted': return 'Your turn to buy has ended (or has not come yet). Rejoin the waiting room.';
  case 'sale-not-started': return 'The sale has not started yet.';
  case 'sale-ended': return 'The sale has ended.';
  case 'bad-quantity': return 'That quantity is not allowed in this sale.';
  default: break;
  }
  if (error.networkError) return 'No connection to the shop. Check your network; nothing was lost.';
  if (error.status === 429) return `Too many requests. Please wait ${error.retryAfterSeconds ?? 'a few'} seconds.`;
  if (error.status === 401) return 'Please sign in again.';
  if (error.status >= 500) return 'The shop is busy. Please try again in a moment.';
  return error.problem && (error.problem.detail || error.problem.title) ? String(error.problem.detail || error.problem.title) : 'Something went wrong.';
}

export const saleStatusWords = {
  Scheduled: 'Upcoming',
  Active: 'Live now',
  SoldOut: 'Sold out',
  Ended: 'Ended',
};
