/**
 * The preview bundle's entry: synthetic shadow first (so SLDS classes reach inside components, as in
 * Lightning Experience), then the icon paths, then the page.
 */
import '@lwc/synthetic-shadow';
import { createElement } from 'lwc';
import configProvider from 'lightning/configProvider';
import App from 'preview/app';

configProvider({ getPathPrefix: () => '/preview/slds' });

// The host page, not a component, mounts the app: it owns the document.
// eslint-disable-next-line @lwc/lwc/no-document-query
const root = document.getElementById('preview-root');
root.appendChild(createElement('preview-app', { is: App }));
