// POSTs GraphQL requests as JSON to the configured endpoint with the headers typed in the
// Headers editor. Cookies go along on same-origin requests, so a session cookie (e.g. Airflow's
// `_token` when the gateway runs as an Airflow plugin) authenticates without extra setup.

/**
 * @param {string} endpoint
 * @returns {import('@graphiql/toolkit').Fetcher}
 */
export function createFetcher(endpoint) {
  return async (graphQLParams, opts) => {
    const headers = new Headers({
      'Content-Type': 'application/json',
      Accept: 'application/graphql-response+json, application/json',
    });
    // set(), not append(): a header typed in the editor replaces ours instead of joining it.
    for (const [name, value] of Object.entries(opts?.headers ?? {})) {
      headers.set(name, String(value));
    }
    const response = await fetch(endpoint, {
      method: 'POST',
      headers,
      body: JSON.stringify(graphQLParams),
      credentials: 'same-origin',
    });
    const text = await response.text();
    try {
      return JSON.parse(text);
    } catch {
      // Not GraphQL (proxy error page, 401 from a gateway in front, ...): show it as an error.
      return {
        errors: [{ message: `HTTP ${response.status} ${response.statusText}: ${text.slice(0, 2000)}` }],
      };
    }
  };
}
