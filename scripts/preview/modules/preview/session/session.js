/**
 * What the server told this page (preview/page data in a JSON script tag) and who the reader acts as.
 * Read lazily, so importing this module does nothing.
 */
const ACT_AS_KEY = 'switchyard.preview.actAs';
const API_KEY_KEY = 'switchyard.preview.apiKey';

let pageData;

/** { mode, apiKey?, page, recordId?, actors: [...], defaultActor, samples: { leads, accounts } } */
export function page() {
  if (!pageData) {
    // The server writes the page data into the host document, outside every component.
    // eslint-disable-next-line @lwc/lwc/no-document-query
    const element = document.getElementById('switchyard-preview-data');
    try {
      pageData = element ? JSON.parse(element.textContent) : {};
    } catch {
      pageData = {};
    }
    pageData.actors = pageData.actors || [];
    pageData.samples = pageData.samples || { leads: [], accounts: [] };
  }
  return pageData;
}

function stored(key) {
  try {
    return window.sessionStorage.getItem(key) || window.localStorage.getItem(key);
  } catch {
    return null;
  }
}

/** The key for the companion: injected by the server on loopback, typed in by the reader otherwise. */
export function apiKey() {
  return page().apiKey || stored(API_KEY_KEY) || '';
}

export function rememberApiKey(key) {
  window.sessionStorage.setItem(API_KEY_KEY, key);
}

function remember(key, value) {
  try {
    window.localStorage.setItem(key, value);
  } catch {
    // Private windows may refuse storage; the address still carries the choice.
  }
}

/**
 * The acting Salesforce user: ?as= in the address (remembered, so record links without it keep the
 * same user), else the last choice, else the page's default.
 */
export function actingUserId() {
  const fromUrl = new URLSearchParams(window.location.search).get('as');
  if (fromUrl) {
    if (stored(ACT_AS_KEY) !== fromUrl) remember(ACT_AS_KEY, fromUrl);
    return fromUrl;
  }
  return stored(ACT_AS_KEY) || page().defaultActor || '';
}

/** For a page without the key (bound beyond loopback), where the reader types the Id of the user to act as. */
export function rememberActingUser(userId) {
  remember(ACT_AS_KEY, userId);
}

export function actingUser() {
  const id = actingUserId();
  return page().actors.find((actor) => actor.id === id) || { id, name: id, role: '', canReroute: false };
}

/** Acts as another user: remembered, and the page reloads so every component asks again as them. */
export function actAs(userId) {
  remember(ACT_AS_KEY, userId);
  const url = new URL(window.location.href);
  url.searchParams.set('as', userId);
  window.location.assign(url.toString());
}

/** A link to another preview page that keeps the acting user. */
export function pageUrl(path) {
  const url = new URL(path, window.location.origin);
  const as = new URLSearchParams(window.location.search).get('as');
  if (as) url.searchParams.set('as', as);
  return url.pathname + url.search;
}
