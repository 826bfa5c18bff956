/**
 * The page itself, loaded by main.js once the page's first data is asked for: synthetic shadow first
 * (so SLDS classes reach inside components, as in Lightning Experience), then the icon paths, then the page.
 */
import '@lwc/synthetic-shadow';
import { createElement } from 'lwc';
import configProvider from 'lightning/configProvider';
import App from 'preview/app';

// Icon sprites come from the same bundle as this script (its hashed folder), so they are cached with it.
const SLDS_PREFIX = new URL('../slds', import.meta.url).pathname;
configProvider({ getPathPrefix: () => SLDS_PREFIX });

// The host page, not a component, mounts the app: it owns the document.
// eslint-disable-next-line @lwc/lwc/no-document-query
const root = document.getElementById('preview-root');
root.appendChild(createElement('preview-app', { is: App }));
