import { actingUserId, apiKey, page } from 'preview/session';

/** A failed call, shaped like the companion's answer: { status, body: { error: { code, message, action } } }. */
export class CompanionError extends Error {
  constructor(status, body) {
    const error = (body && body.error) || {};
    super(error.message || `The companion answered HTTP ${status}.`);
    this.status = status;
    this.body = body;
  }
}

function unreachable(detail) {
  return new CompanionError(0, {
    error: {
      code: 'UPSTREAM_UNAVAILABLE',
      message: `The preview could not reach the Switchyard companion (${detail}).`,
      action: 'Check that the companion is still running (npm start), then reload the page.',
    },
  });
}

/** GET answers asked for ahead of their readers, by path. */
const prefetched = new Map();
/** Prefetched paths a reader has taken: dropped when the task that took them ends. */
const taken = new Set();

/**
 * Calls the companion's API v1 as the acting user, with any extra headers (e.g. Idempotency-Key);
 * resolves with the JSON answer or rejects with CompanionError.
 */
export async function request(method, path, body, extraHeaders = {}) {
  const early = method === 'GET' && !body && prefetched.get(path);
  if (early) {
    // Asked for before the page existed (prefetch). Every reader that asks while the page mounts (the
    // lead is read by the header, the fields and the partner badge) shares it; once the task that took it
    // ends, later reads (a refresh after a re-route) ask again.
    if (!taken.has(path)) {
      taken.add(path);
      // eslint-disable-next-line @lwc/lwc/no-async-operation
      setTimeout(() => {
        prefetched.delete(path);
        taken.delete(path);
      }, 0);
    }
    return early;
  }
  return send(method, path, body, extraHeaders);
}

/** Starts GET requests now, so a component asking for one of these paths later gets its answer sooner. */
export function prefetch(paths) {
  for (const path of paths) {
    const pending = send('GET', path);
    // Nobody may read it; its failure is reported to whoever does.
    pending.catch(() => {});
    prefetched.set(path, pending);
  }
}

/** As `request`, for an answer that is not JSON (a flow's SVG picture): resolves with its text. */
export function requestText(path, accept) {
  return send('GET', path, undefined, { Accept: accept }, 'text');
}

/** `answer`: 'json' (the default) parses the answer; 'text' hands a successful answer over as text. */
async function send(method, path, body, extraHeaders = {}, answer = 'json') {
  const headers = { Accept: 'application/json', ...extraHeaders, 'X-Switchyard-User': actingUserId() };
  const key = apiKey();
  if (key) headers.Authorization = `Bearer ${key}`;
  const init = { method, headers };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (error) {
    throw unreachable(error && error.message ? error.message : 'network error');
  }
  if (answer === 'text' && response.ok) {
    return response.text();
  }
  let parsed = null;
  try {
    parsed = await response.json();
  } catch {
    parsed = null;
  }
  if (!response.ok) {
    // The page was given its key when it was served; refused now, the companion restarted with another.
    if (
      response.status === 401 &&
      page().apiKey &&
      parsed &&
      parsed.error &&
      parsed.error.code === 'UNAUTHENTICATED'
    ) {
      throw new CompanionError(401, {
        error: {
          code: 'PREVIEW_RESTARTED',
          message: 'The Switchyard companion was restarted since this page was opened.',
          action: 'Reload the page.',
        },
      });
    }
    if (parsed && parsed.error && typeof parsed.error.message === 'string') {
      throw new CompanionError(response.status, parsed);
    }
    throw unreachable(`HTTP ${response.status}`);
  }
  return parsed;
}
