import { ShowToastEvent } from 'lightning/platformShowToastEvent';
import { formatLabel } from 'c/switchyardService';

/**
 * What the admin page's panels (pools, territory tables, the last backtest) do alike: read their data
 * through Apex into a field of theirs, with the failure in `error` for c-load-state; and say in a toast
 * what a change they sent did: stored as a new version, or nothing changed.
 */

/** Reads `read()` into `host[field]` and clears `host.error`, or keeps the failure in `host.error`. */
export async function readInto(host, field, read) {
  try {
    host[field] = await read();
    host.error = undefined;
  } catch (error) {
    host.error = error;
  }
}

/** The panel's note with the version its data is from ({0}), '' for the version until it is read. */
export function versionNote(label, data) {
  return formatLabel(label, data ? data.version : '');
}

/**
 * A toast of the companion's answer to a change: `stored` with the new version ({0}) when it published
 * one, `unchanged` when the live version already held it.
 */
export function toastChange(host, { title, answer, stored, unchanged }) {
  host.dispatchEvent(
    new ShowToastEvent({
      title,
      message: answer.published ? formatLabel(stored, answer.version) : unchanged,
      variant: answer.published ? 'success' : 'info',
    }),
  );
}
