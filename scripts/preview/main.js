/**
 * The preview bundle's entry, kept small: it asks the companion for the page's first data at once, then
 * loads the page (start.js: the LWC engine, the components). The requests travel while the browser
 * downloads and parses the page's script, instead of after.
 */
import { prefetchPageData } from 'preview/prefetch';

prefetchPageData();
import('./start.js');
