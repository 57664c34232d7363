// Orphans (admin token): the finalize mutation's dry run, then an apply the operator confirms.
// Only the ids the dry run reported WOULD_FINALIZE are applied; the gateway checks each one
// again in the database when it writes.

import { request } from './api.js';
import { FINALIZE } from './queries.js';
import { element } from './render.js';

function resultsTable(payload, caption) {
  const rows = payload.results.map((result) => element(
    'tr', { 'data-backfill-id': result.backfillId, 'data-outcome': result.outcome },
    element('td', { text: result.backfillId }),
    element('td', { text: result.backfill?.dagId ?? '–' }),
    element('td', { class: `outcome outcome-${result.outcome.toLowerCase()}`, text: result.outcome }),
    element('td', { text: result.reason }),
  ));
  return element(
    'table', { class: 'orphan-results' },
    element('caption', { text: caption }),
    element('thead', {}, element('tr', {}, ['Backfill', 'DAG', 'Outcome', 'Reason'].map((text) => element('th', { scope: 'col', text })))),
    element('tbody', {}, rows.length ? rows : element('tr', {}, element('td', { colspan: 4, text: 'No active backfill without slots.' }))),
  );
}

export class OrphansPanel {
  constructor({ section, button, output, token, onFinalized }) {
    Object.assign(this, { section, button, output, token, onFinalized });
    button.addEventListener('click', () => this.dryRun());
  }

  show(token) {
    this.token = token;
    this.section.hidden = !token;
    this.output.replaceChildren();
    if (token) this.dryRun();
  }

  async run(input) {
    const data = await request(FINALIZE, { input }, this.token);
    const payload = data.finalizeOrphanedBackfills;
    if (payload.userErrors.length) throw new Error(payload.userErrors.map((e) => e.message).join('; '));
    return payload;
  }

  fail(error) {
    const forbidden = error.codes?.some((code) => code === 'FORBIDDEN' || code === 'UNAUTHENTICATED');
    this.output.replaceChildren(element('p', {
      class: 'error', role: 'alert',
      text: forbidden ? `Orphans need an admin token: ${error.message}` : error.message,
    }));
  }

  async dryRun() {
    this.output.replaceChildren(element('p', { text: 'Dry run…' }));
    let payload;
    try {
      payload = await this.run({ dryRun: true });
    } catch (error) {
      this.fail(error);
      return;
    }
    const ids = payload.results.filter((r) => r.outcome === 'WOULD_FINALIZE').map((r) => r.backfillId);
    const table = resultsTable(payload, `Dry run at ${payload.now} (grace period ${payload.gracePeriodSeconds} s): nothing written.`);
    const apply = ids.length
      ? element('button', { type: 'button', class: 'danger', id: 'finalize', text: `Finalize ${ids.length} orphan${ids.length === 1 ? '' : 's'}…` })
      : null;
    apply?.addEventListener('click', () => this.confirm(ids, apply));
    this.output.replaceChildren(table, apply ?? element('p', { text: 'Nothing to finalize.' }));
  }

  confirm(ids, apply) {
    apply.disabled = true;
    const yes = element('button', { type: 'button', class: 'danger', id: 'finalize-confirm', text: 'Finalize' });
    const no = element('button', { type: 'button', id: 'finalize-cancel', text: 'Cancel' });
    const dialog = element(
      'div', { class: 'confirm', role: 'alertdialog', 'aria-labelledby': 'confirm-text' },
      element('p', { id: 'confirm-text', text: `Finalize backfill${ids.length === 1 ? '' : 's'} ${ids.join(', ')}? Each gets completedAt set and one audit-log row; this cannot be undone.` }),
      yes, no,
    );
    no.addEventListener('click', () => { dialog.remove(); apply.disabled = false; });
    yes.addEventListener('click', () => this.apply(ids, dialog));
    this.output.append(dialog);
    yes.focus();
  }

  async apply(ids, dialog) {
    dialog.querySelectorAll('button').forEach((button) => { button.disabled = true; });
    let payload;
    try {
      payload = await this.run({ backfillIds: ids, dryRun: false, limit: Math.max(ids.length, 1) });
    } catch (error) {
      this.fail(error);
      return;
    }
    const done = payload.results.filter((r) => r.outcome === 'FINALIZED').length;
    this.output.replaceChildren(
      resultsTable(payload, `Applied at ${payload.now}: ${done} finalized.`),
      element('p', { class: 'applied', role: 'status', text: `${done} backfill${done === 1 ? '' : 's'} finalized.` }),
    );
    this.onFinalized();
  }
}
