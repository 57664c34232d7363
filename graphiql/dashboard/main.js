// The backfills dashboard: a page of backfills (filters, keyset paging), each as a card kept
// current by the live subscription; the orphans panel for an admin token.

import './dashboard.css';

import { request } from './api.js';
import { watchBackfills } from './live.js';
import { OrphansPanel } from './orphans.js';
import { LISTING, SLOTS_PER_GRID, UPDATES } from './queries.js';
import { backfillCard, element } from './render.js';

const TOKEN_KEY = 'backfill-gateway.dashboard.token';
const $ = (id) => document.getElementById(id);

const state = {
  token: sessionStorage.getItem(TOKEN_KEY) || '',
  filter: {},
  pageSize: 20,
  window: { first: 20 }, // the connection arguments of the shown page
  pageIndex: 0,
  pageInfo: null,
  stopLive: null,
  liveKey: '',
  dagIds: new Set(),
  loads: 0,
  shown: new Map(), // backfill id -> the JSON its card was drawn from
};

function setMessage(text) {
  $('message').textContent = text;
}

function setLive(status) {
  const live = $('live-status');
  live.textContent = { live: 'live', connecting: 'connecting…', reconnecting: 'reconnecting…', off: 'live updates off' }[status] ?? status;
  live.dataset.state = status;
}

/** Counts on the status line's element (events received, cards redrawn), for inspection. */
function count(name) {
  const live = $('live-status');
  live.dataset[name] = String(Number(live.dataset[name] || 0) + 1);
}

function readFilters() {
  const form = $('filters');
  const statuses = [...form.querySelectorAll('input[name=status]:checked')].map((box) => box.value);
  const dagIds = $('dag-filter').value.split(',').map((id) => id.trim()).filter(Boolean);
  state.filter = {
    ...(statuses.length ? { statuses } : {}),
    ...(dagIds.length ? { dagIds } : {}),
  };
  state.pageSize = Number($('page-size').value);
}

async function fetchPage() {
  const variables = { ...state.window, filter: state.filter, slots: SLOTS_PER_GRID };
  return request(LISTING, variables, state.token);
}

function rememberDagIds(backfills) {
  const before = state.dagIds.size;
  backfills.forEach((b) => b.dagId && state.dagIds.add(b.dagId));
  if (state.dagIds.size === before) return;
  $('dag-ids').replaceChildren(...[...state.dagIds].sort().map((id) => element('option', { value: id })));
}

function renderPage(connection) {
  const list = $('backfills');
  state.shown = new Map(connection.nodes.map((b) => [b.backfillId, JSON.stringify(b)]));
  list.replaceChildren(...connection.nodes.map(backfillCard));
  const first = state.pageIndex * state.pageSize + 1;
  $('page-info').textContent = connection.nodes.length
    ? `${first}–${first + connection.nodes.length - 1} of ${connection.totalCount}`
    : `0 of ${connection.totalCount}`;
  const { pageInfo } = connection;
  $('prev-page').disabled = state.pageIndex === 0;
  $('next-page').disabled = !pageInfo.hasNextPage && !(state.window.before && state.pageIndex > 0);
  state.pageInfo = pageInfo;
  rememberDagIds(connection.nodes);
}

async function load() {
  const thisLoad = ++state.loads;
  document.body.setAttribute('aria-busy', 'true');
  try {
    const data = await fetchPage();
    if (thisLoad !== state.loads) return; // a newer load replaced this one
    renderPage(data.backfills);
    setMessage('');
    watch(data.backfills.nodes.map((b) => b.backfillId));
  } catch (error) {
    if (thisLoad !== state.loads) return;
    $('prev-page').disabled = state.pageIndex === 0;
    $('next-page').disabled = !state.pageInfo; // no cursor to go on from
    const needsToken = error.codes?.includes('UNAUTHENTICATED');
    setMessage(needsToken ? `This gateway needs a token: ${error.message}` : error.message);
  } finally {
    if (thisLoad === state.loads) document.body.removeAttribute('aria-busy');
  }
}

/** Subscribe to the shown backfills (not the whole filter: a page, not 1,000 grids). */
function watch(backfillIds) {
  const key = `${state.token}|${backfillIds.join()}`;
  if (key === state.liveKey) return;
  state.stopLive?.();
  state.stopLive = null;
  state.liveKey = key;
  if (backfillIds.length === 0) {
    setLive('off');
    return;
  }
  state.stopLive = watchBackfills({
    query: UPDATES,
    variables: { filter: { backfillIds }, slots: SLOTS_PER_GRID },
    token: state.token,
    onBackfill: (backfill) => {
      count('events');
      const card = document.getElementById(`backfill-${backfill.backfillId}`);
      if (!card) return;
      // The subscription's first events repeat what the page shows: a card is redrawn only
      // when its data changed, so focus, selection and an open list stay put.
      const json = JSON.stringify(backfill);
      if (state.shown.get(backfill.backfillId) === json) return;
      state.shown.set(backfill.backfillId, json);
      const fresh = backfillCard(backfill);
      // Keep the skipped-slots list as the operator left it (open or closed), and the
      // keyboard focus on its summary.
      const [before, after] = [card, fresh].map((c) => c.querySelector('details.skipped'));
      const focused = before?.querySelector('summary') === document.activeElement;
      if (before && after) after.open = before.open;
      card.replaceWith(fresh);
      count('redrawn');
      if (focused) after?.querySelector('summary')?.focus();
    },
    onStatus: setLive,
    onError: (errors) => setMessage(`Live updates: ${errors.map((e) => e.message).join('; ')}`),
  });
}

function restart() {
  state.pageIndex = 0;
  state.pageInfo = null;
  state.window = { first: state.pageSize };
  load();
}

$('filters').addEventListener('submit', (event) => {
  event.preventDefault();
  readFilters();
  restart();
});
$('next-page').addEventListener('click', () => {
  if (!state.pageInfo) return;
  state.pageIndex += 1;
  state.window = { first: state.pageSize, after: state.pageInfo.endCursor };
  load();
});
$('prev-page').addEventListener('click', () => {
  state.pageIndex = Math.max(0, state.pageIndex - 1);
  state.window = state.pageIndex === 0 || !state.pageInfo
    ? { first: state.pageSize }
    : { last: state.pageSize, before: state.pageInfo.startCursor };
  load();
});

const orphans = new OrphansPanel({
  section: $('orphans'),
  button: $('dry-run'),
  output: $('orphans-result'),
  token: state.token,
  onFinalized: () => load(),
});

function useToken(token) {
  state.token = token;
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
  $('token').value = token;
  orphans.show(token);
  state.liveKey = ''; // the connection authenticates with the token: reconnect
  load();
}

$('token-form').addEventListener('submit', (event) => {
  event.preventDefault();
  useToken($('token').value.trim());
});
$('token-clear').addEventListener('click', () => useToken(''));

readFilters();
state.window = { first: state.pageSize };
useToken(state.token);
