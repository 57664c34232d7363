// Page settings: where to send queries and what to show first.

function readConfigBlock() {
  const block = document.getElementById('graphiql-config');
  if (!block) return {};
  try {
    return JSON.parse(block.textContent || '{}');
  } catch {
    return {};
  }
}

/**
 * @param {HTMLElement} root the element GraphiQL renders into
 * @returns {{endpoint: string, defaultQuery?: string, defaultHeaders?: string,
 *            initialQuery?: string, initialVariables?: string}}
 */
export function readConfig(root) {
  const block = readConfigBlock();
  const params = new URLSearchParams(window.location.search);
  return {
    // data-endpoint wins, then the JSON block, then the page's own path.
    endpoint: root.dataset.endpoint || block.endpoint || window.location.pathname,
    defaultQuery: typeof block.defaultQuery === 'string' ? block.defaultQuery : undefined,
    defaultHeaders: typeof block.defaultHeaders === 'string' ? block.defaultHeaders : undefined,
    // ?query=...&variables=... prefill the editors (and open a tab for that query).
    initialQuery: params.get('query') ?? undefined,
    initialVariables: params.get('variables') ?? undefined,
  };
}

/** Keeps ?query= / ?variables= in the address bar in step with the editors (shareable links). */
export function syncUrlParam(name, value) {
  const url = new URL(window.location.href);
  if (value) url.searchParams.set(name, value);
  else url.searchParams.delete(name);
  window.history.replaceState(window.history.state, '', url);
}
