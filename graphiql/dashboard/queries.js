// The page's GraphQL documents. One fragment describes a backfill card; the listing query
// and the live subscription select it alike, so an event replaces a card as it is.

// Slots drawn per backfill: one page of the grid (the gateway's largest page size).
export const SLOTS_PER_GRID = 100;

const BACKFILL_CARD = `fragment BackfillCard on Backfill {
  id backfillId dagId status isPaused createdAt completedAt fromDate toDate
  progress {
    slotCount skippedCount runMissingCount queuedCount runningCount successCount
    failedCount finishedCount finishedFraction
  }
  taskCounts {
    total success failed running queued scheduled upForRetry upForReschedule
    upstreamFailed skipped deferred removed restarting noState
  }
  dagRuns(first: $slots) {
    totalCount
    nodes {
      backfillDagRunId sortOrdinal logicalDate partitionKey isSkipped exceptionReason
      dagRun { dagRunId runId state runType }
      blockingRun { dagRunId runId state runType }
    }
  }
}`;

export const LISTING = `query DashboardBackfills(
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
${BACKFILL_CARD}`;

export const UPDATES = `subscription DashboardUpdates($filter: BackfillFilter, $slots: Int) {
  backfillUpdates(filter: $filter) { ...BackfillCard }
}
${BACKFILL_CARD}`;

export const FINALIZE = `mutation DashboardFinalize($input: FinalizeOrphanedBackfillsInput!) {
  finalizeOrphanedBackfills(input: $input) {
    dryRun now gracePeriodSeconds cutoff
    userErrors { field message code }
    results { backfillId outcome reason backfill { dagId createdAt status } }
  }
}`;
