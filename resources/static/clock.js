// The server's clock, learnt from the serverTime the API sends, so countdowns are right
// even when this computer's clock is not. The offset comes from the sample with the
// shortest round trip (the least uncertain); the server time is taken to be read
// half-way through the request.
let offsetMs = 0;
let bestRoundTripMs = Infinity;
let known = false;

export function observeServerTime(iso, sentAtMs, receivedAtMs) {
  const server = Date.parse(iso);
  if (!Number.isFinite(server)) return;
  const roundTrip = Math.max(0, receivedAtMs - sentAtMs);
  // Older samples age: a sample 50 ms worse than the best still replaces it, so a clock
  // that was stepped while the page was open is followed.
  if (known && roundTrip > bestRoundTripMs + 50) return;
  bestRoundTripMs = Math.min(bestRoundTripMs, roundTrip);
  offsetMs = server - (sentAtMs + receivedAtMs) / 2;
  known = true;
}

export function serverNow() {
  return Date.now() + offsetMs;
}

export function clockKnown() {
  return known;
}

// "2 h 05 min", "4 min 09 s", "12 s".
export function countdownWords(ms) {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const d = Math.floor(total / 86400);
  const hours = Math.floor((total % 86400) / 3600);
  const min = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const two = (n) => String(n).padStart(2, '0');
  if (d > 0) return `${d} d ${hours} h`;
  if (hours > 0) return `${hours} h ${two(min)} min`;
  if (min > 0) return `${min} min ${two(s)} s`;
  return `${s} s`;
}

// An estimated wait in words: "less than a minute", "about 2 minutes", "unknown".
export function waitWords(seconds) {
  if (seconds === null || seconds === undefined || !Number.isFinite(Number(seconds))) return 'unknown';
  const s = Number(seconds);
  if (s < 60) return 'less than a minute';
  const minutes = Math.round(s / 60);
  if (minutes < 60) return `about ${minutes} minute${minutes === 1 ? '' : 's'}`;
  const hours = Math.round(minutes / 60);
  return `about ${hours} hour${hours === 1 ? '' : 's'}`;
}
