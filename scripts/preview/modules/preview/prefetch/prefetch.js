import { prefetch } from 'preview/api';
import { apiKey, page } from 'preview/session';

/**
 * The companion reads a record page makes first, asked for before the components exist. Each path is
 * the one the component's own call builds (apexBridge, uiRecordApi) with its default settings; a
 * path nobody asks for is only a wasted read.
 */
export function prefetchPageData() {
  const { page: kind, recordId } = page();
  if (!apiKey()) return;
  if (kind === 'landing') {
    // The start page's accounts with matched leads begin with this list (landing.js).
    prefetch(['/v1/accounts?limit=20']);
    return;
  }
  if (!recordId) return;
  const id = encodeURIComponent(recordId);
  if (kind === 'lead') {
    prefetch([
      `/v1/leads/${id}`,
      `/v1/leads/${id}/partner-status`,
      `/v1/leads/${id}/routing-history?limit=20`,
      `/v1/leads/${id}/sla`,
      '/v1/me',
    ]);
  } else if (kind === 'account') {
    prefetch([
      `/v1/accounts/${id}`,
      `/v1/accounts/${id}/matched-leads?limit=25&offset=0&sort=lastActivity&direction=desc`,
      '/v1/me',
    ]);
  }
}
