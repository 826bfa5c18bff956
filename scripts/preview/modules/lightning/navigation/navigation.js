import { pageUrl } from 'preview/session';

/**
 * lightning/navigation for the preview: a record page reference opens the preview's page of that
 * record (as the same "act as" user); other references open the address Salesforce would give them.
 */
const Navigate = Symbol('Navigate');
const GenerateUrl = Symbol('GenerateUrl');

/** Key prefixes of the records the preview has pages for. */
const PAGES = { '00Q': 'lead', '001': 'account' };

function urlOf(pageReference) {
  const attributes = (pageReference && pageReference.attributes) || {};
  if (pageReference && pageReference.type === 'standard__recordPage' && attributes.recordId) {
    const kind = PAGES[String(attributes.recordId).slice(0, 3)];
    return pageUrl(kind ? `/preview/${kind}/${attributes.recordId}` : `/${attributes.recordId}`);
  }
  if (pageReference && pageReference.type === 'standard__webPage' && attributes.url) {
    return attributes.url;
  }
  throw new Error(
    `The preview cannot open a page reference of type "${pageReference && pageReference.type}".`,
  );
}

export const NavigationMixin = (Base) =>
  class extends Base {
    [Navigate](pageReference) {
      window.location.assign(urlOf(pageReference));
    }

    [GenerateUrl](pageReference) {
      return Promise.resolve(urlOf(pageReference));
    }
  };
NavigationMixin.Navigate = Navigate;
NavigationMixin.GenerateUrl = GenerateUrl;
