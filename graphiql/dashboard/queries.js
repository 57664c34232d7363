// The page's GraphQL documents. One fragment describes a backfill card; the listing query
// and the live subscription select it alike, so an event replaces a card as it is.

// Slots drawn per backfill: one page of the grid (the gateway's largest page size).
export const SLOTS_PER_GRID = 100;

const TASK_COUNTS = `taskCounts {
    total success failed running queued scheduled upForRetry upForReschedule
    upstreamFailed skipped deferred removed restarting noState
  }`;

const BLOCKING_RUN = 'blockingRun { dagRunId runId state runType }';

/** The card fragment; `optional` names the fields left out (an older gateway lacks them). */
export function backfillFragment(optional = new Set()) {
  return `fragment BackfillCard on Backfill {
  id backfillId dagId status isPaused createdAt completedAt fromDate toDate
  progress {
    slotCount skippedCount runMissingCount queuedCount runningCount successCount
    failedCount finishedCount finishedFraction
  }
  ${optional.has('taskCounts') ? '' : TASK_COUNTS}
  dagRuns(first: $slots) {
    totalCount
    nodes {
      backfillDagRunId sortOrdinal logicalDate partitionKey isSkipped exceptionReason
      dagRun { dagRunId runId state runType }
      ${optional.has('blockingRun') ? '' : BLOCKING_RUN}
    }
  }
}`;
}

export function listingQuery(optional) {
  return `query DashboardBackfills(
  $first: Int, $after: String, $last: Int, $before: String,
  $filter: BackfillFilter, $slots: Int
) {
  backfills(
    first: $first, after: $after, last: $last, before: $before,
    filter: $filter, orderBy: {field: ID, direction: DESC}
  ) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    nodes { ...BackfillCard }
  }
}
${backfillFragment(optional)}`;
}

export function updatesSubscription(optional) {
  return `subscription DashboardUpdates($filter: BackfillFilter, $slots: Int) {
  backfillUpdates(filter: $filter) { ...BackfillCard }
}
${backfillFragment(optional)}`;
}

export const FINALIZE = `mutation DashboardFinalize($input: FinalizeOrphanedBackfillsInput!) {
  finalizeOrphanedBackfills(input: $input) {
    dryRun now gracePeriodSeconds cutoff
    userErrors { field message code }
    results { backfillId outcome reason backfill { dagId createdAt status } }
  }
}`;

/** Fields of the card this gateway's schema lacks, read from a validation error. */
export function missingOptionalFields(error) {
  const missing = new Set();
  for (const { message } of error.errors ?? []) {
    for (const name of ['taskCounts', 'blockingRun']) {
      if (message.includes(`Cannot query field '${name}'`)) missing.add(name);
    }
  }
  return missing;
}
