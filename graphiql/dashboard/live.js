// Live updates: `Subscription.backfillUpdates` over the graphql-transport-ws WebSocket at the
// endpoint's URL (graphql-ws, the well-kept client; it reconnects with back-off and pings).

import { createClient } from 'graphql-ws';

import { websocketUrl } from './api.js';

/**
 * Watch the backfills matching `filter`; `onBackfill` gets each event's backfill, `onStatus`
 * a word for the status line. Returns a function that stops watching.
 */
export function watchBackfills({ query, variables, token, onBackfill, onStatus, onError }) {
  const client = createClient({
    url: websocketUrl(),
    connectionParams: token ? { Authorization: `Bearer ${token}` } : {},
    lazy: false,
    keepAlive: 10_000,
    retryAttempts: Infinity,
    shouldRetry: () => true,
    on: {
      connecting: () => onStatus('connecting'),
      connected: () => onStatus('live'),
      closed: () => onStatus('reconnecting'),
    },
  });
  const unsubscribe = client.subscribe(
    { query, variables },
    {
      next: (result) => {
        if (result.errors?.length) onError(result.errors);
        if (result.data?.backfillUpdates) onBackfill(result.data.backfillUpdates);
      },
      error: (error) => {
        onStatus('off');
        onError(Array.isArray(error) ? error : [{ message: describe(error) }]);
      },
      complete: () => onStatus('off'),
    },
  );
  return () => {
    unsubscribe();
    // dispose() awaits a connection attempt still under way, and rejects if that failed.
    Promise.resolve(client.dispose()).catch(() => {});
  };
}

function describe(error) {
  if (error instanceof Error) return error.message;
  if (error && typeof error.code === 'number') return `connection closed (${error.code} ${error.reason || ''})`.trim();
  return 'live updates failed';
}
