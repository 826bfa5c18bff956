/**
 * Lead Status values routing itself relies on, in one place: the handbook's jobs and load counting
 * read them in both modes (local and Salesforce), so a status one part knows every other part knows.
 */

/** What job 3 ("Daily Recycle, No Action flow") sets on MQLs nobody acted on for 30 days. */
export const RECYCLE_NO_ACTION = 'Recycle - No Action';

/** Recycled leads, however they were recycled: the weekly queue job (2) and the BDR job (4) take both. */
export const RECYCLE_STATUSES: readonly string[] = ['Recycle', RECYCLE_NO_ACTION];

/**
 * Statuses of leads nobody is working: qualified away, ruled out, or recycled. Every other
 * unconverted lead counts toward its owner's open load.
 */
export const NOT_WORKED_STATUSES: readonly string[] = [
  'Qualified',
  'Disqualified',
  'Ineligible',
  'Unqualified',
  ...RECYCLE_STATUSES,
];
