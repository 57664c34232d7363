import './workers.js';

import { explorerPlugin } from '@graphiql/plugin-explorer';
import { GraphiQL } from 'graphiql';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';

import 'graphiql/style.css';
import '@graphiql/plugin-explorer/style.css';
import './page.css';

import { readConfig, syncUrlParam } from './config.js';
import { createFetcher } from './fetcher.js';

const root = document.getElementById('graphiql');
const config = readConfig(root);
const fetcher = createFetcher(config.endpoint);
const plugins = [explorerPlugin()];

createRoot(root).render(
  <StrictMode>
    <GraphiQL
      fetcher={fetcher}
      plugins={plugins}
      defaultQuery={config.defaultQuery}
      defaultHeaders={config.defaultHeaders}
      initialQuery={config.initialQuery}
      initialVariables={config.initialVariables}
      onEditQuery={(query) => syncUrlParam('query', query)}
      onEditVariables={(variables) => syncUrlParam('variables', variables)}
      isHeadersEditorEnabled
      shouldPersistHeaders={false}
    />
  </StrictMode>,
);
