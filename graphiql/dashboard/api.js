// GraphQL over HTTP to the gateway: POST JSON, the token (if any) as a bearer header.
// Cookies go along on same-origin requests, so Airflow's `_token` cookie authenticates the
// page when the gateway runs as an Airflow plugin.

/** The GraphQL endpoint, resolved against the page's URL (works under any path prefix). */
export function endpointUrl() {
  return new URL(document.body.dataset.endpoint || 'graphql', window.location.href);
}

/** The WebSocket URL of the same endpoint (graphql-transport-ws). */
export function websocketUrl() {
  const url = endpointUrl();
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.href;
}

export class GraphQLError extends Error {
  constructor(errors) {
    super(errors.map((error) => error.message).join('; '));
    this.errors = errors;
    this.codes = errors.map((error) => error.extensions?.code).filter(Boolean);
  }
}

/** POST one operation; resolves with `data`, rejects with GraphQLError on any error. */
export async function request(query, variables, token) {
  const headers = {
    'Content-Type': 'application/json',
    Accept: 'application/graphql-response+json, application/json',
  };
  if (token) headers.Authorization = `Bearer ${token}`;
  const response = await fetch(endpointUrl(), {
    method: 'POST',
    headers,
    body: JSON.stringify({ query, variables }),
    credentials: 'same-origin',
  });
  let body;
  try {
    body = await response.json();
  } catch {
    throw new GraphQLError([{ message: `HTTP ${response.status} ${response.statusText}` }]);
  }
  if (body.errors?.length) throw new GraphQLError(body.errors);
  return body.data;
}
