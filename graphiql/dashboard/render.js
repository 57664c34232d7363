// DOM for one backfill card: header, accessible progress bar, task counts, slot grid.
// Text goes in through textContent and attributes only (no HTML strings from data).

const TASK_STATES = [
  ['success', 'success'], ['failed', 'failed'], ['running', 'running'], ['queued', 'queued'],
  ['scheduled', 'scheduled'], ['upForRetry', 'up for retry'],
  ['upForReschedule', 'up for reschedule'], ['upstreamFailed', 'upstream failed'],
  ['skipped', 'skipped'], ['deferred', 'deferred'], ['removed', 'removed'],
  ['restarting', 'restarting'], ['noState', 'no state'],
];

export function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === 'class') node.className = value;
    else if (name === 'text') node.textContent = value;
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined) node.append(child);
  }
  return node;
}

/** Percent of slots finished, as `progress.finishedFraction` defines it, to 0.1. */
export function finishedPercent(progress) {
  if (progress.finishedFraction === null || progress.finishedFraction === undefined) return null;
  return Math.round(progress.finishedFraction * 1000) / 10;
}

function day(value) {
  return value ? value.slice(0, 10) : '–';
}

function slotWhen(slot) {
  return slot.partitionKey ?? (slot.logicalDate ? slot.logicalDate.replace('T', ' ').slice(0, 16) : '?');
}

/** What a skipped slot's blocking run is, in words. */
export function blockingText(slot) {
  const run = slot.blockingRun;
  if (run === undefined) return '';
  if (run === null) return 'the blocking run no longer exists';
  return `blocked by run ${run.runId} (${(run.state ?? 'no state').toLowerCase()}, ${run.runType})`;
}

function slotState(slot) {
  if (slot.isSkipped) return 'skipped';
  if (!slot.dagRun) return 'missing';
  return (slot.dagRun.state ?? 'none').toLowerCase();
}

function slotCell(slot) {
  const state = slotState(slot);
  let label = `#${slot.sortOrdinal} ${slotWhen(slot)}: `;
  if (slot.isSkipped) {
    label += `skipped (${slot.exceptionReason ?? 'UNKNOWN'})`;
    const blocking = blockingText(slot);
    if (blocking) label += `, ${blocking}`;
  } else if (!slot.dagRun) {
    label += 'run deleted';
  } else {
    label += `${state}, run ${slot.dagRun.runId}`;
  }
  return element('span', {
    class: `slot slot-${state}`,
    role: 'listitem',
    title: label,
    'aria-label': label,
    'data-state': state,
    'data-reason': slot.isSkipped ? slot.exceptionReason ?? 'UNKNOWN' : null,
    'data-blocking-run': slot.blockingRun ? slot.blockingRun.runId : null,
  });
}

function progressBar(backfill) {
  const { progress } = backfill;
  const percent = finishedPercent(progress);
  const fill = element('div', { class: 'progress-fill' });
  fill.style.width = `${percent ?? 0}%`;
  const summary = percent === null
    ? 'no slots yet'
    : `${progress.finishedCount} of ${progress.slotCount} slots finished (${percent}%)`;
  const bar = element(
    'div',
    {
      class: 'progress-bar',
      role: 'progressbar',
      'aria-label': `Backfill ${backfill.backfillId} of ${backfill.dagId ?? 'unknown DAG'}`,
      'aria-valuemin': 0,
      'aria-valuemax': 100,
      // No aria-valuenow without slots: an indeterminate bar.
      'aria-valuenow': percent,
      'aria-valuetext': summary,
    },
    fill,
  );
  const counts = [
    ['success', progress.successCount], ['failed', progress.failedCount],
    ['running', progress.runningCount], ['queued', progress.queuedCount],
    ['skipped', progress.skippedCount], ['run deleted', progress.runMissingCount],
  ].filter(([, count]) => count > 0)
    .map(([name, count]) => `${name} ${count}`).join(' · ');
  return element(
    'div', { class: 'progress' }, bar,
    element('p', { class: 'progress-text', text: counts ? `${summary} — ${counts}` : summary }),
  );
}

function taskCounts(backfill) {
  const counts = backfill.taskCounts;
  if (!counts) return null;
  const list = element('dl', { class: 'task-counts', 'aria-label': `Task instances of backfill ${backfill.backfillId}` });
  list.append(element('dt', { text: 'tasks' }), element('dd', { 'data-task-state': 'total', text: counts.total }));
  for (const [key, name] of TASK_STATES) {
    if (!counts[key]) continue;
    list.append(
      element('dt', { class: `task-${key}`, text: name }),
      element('dd', { 'data-task-state': key, text: counts[key] }),
    );
  }
  return list;
}

function skippedList(slots) {
  const skipped = slots.filter((slot) => slot.isSkipped);
  if (skipped.length === 0) return null;
  const items = skipped.map((slot) => {
    const blocking = blockingText(slot);
    return element('li', {
      text: `#${slot.sortOrdinal} ${slotWhen(slot)}: ${slot.exceptionReason ?? 'UNKNOWN'}${blocking ? ` — ${blocking}` : ''}`,
    });
  });
  return element(
    'details', { class: 'skipped', open: skipped.length <= 5 },
    element('summary', { text: `${skipped.length} skipped slot${skipped.length === 1 ? '' : 's'} on this grid` }),
    element('ul', {}, items),
  );
}

export function backfillCard(backfill) {
  const slots = backfill.dagRuns.nodes;
  const title = `Backfill ${backfill.backfillId} · ${backfill.dagId ?? 'unknown DAG'}`;
  const more = backfill.dagRuns.totalCount > slots.length
    ? element('p', { class: 'slots-more', text: `First ${slots.length} of ${backfill.dagRuns.totalCount} slots shown.` })
    : null;
  return element(
    'li',
    { class: 'backfill', id: `backfill-${backfill.backfillId}`, 'data-backfill-id': backfill.backfillId, 'data-status': backfill.status },
    element(
      'header', {},
      element('h3', { text: title }),
      element('span', { class: `status status-${backfill.status.toLowerCase()}`, 'data-status': backfill.status, text: backfill.status }),
      element('span', { class: 'range', text: `${day(backfill.fromDate)} → ${day(backfill.toDate)}` }),
      element('span', { class: 'created', text: `created ${backfill.createdAt.replace('T', ' ').slice(0, 16)}` }),
    ),
    progressBar(backfill),
    taskCounts(backfill),
    element('div', { class: 'slots', role: 'list', 'aria-label': `Slots of backfill ${backfill.backfillId}` }, slots.map(slotCell)),
    more,
    skippedList(slots),
  );
}
