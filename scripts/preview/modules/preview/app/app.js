import { LightningElement } from 'lwc';
import { actingUserId, apiKey, page, rememberActingUser, rememberApiKey } from 'preview/session';

const TOAST_ICONS = {
  success: 'utility:success',
  error: 'utility:error',
  warning: 'utility:warning',
  info: 'utility:info',
};
/**
 * Each page's component is its own chunk, so a page downloads and parses only its own components;
 * the host page preloads the one it shows (preview.router.ts), so it loads beside this script.
 */
const PAGES = {
  landing: () => import('preview/landing'),
  lead: () => import('preview/leadPage'),
  account: () => import('preview/accountPage'),
  admin: () => import('c/switchyardAdmin'),
};

/** How long a toast stays before it fades, unless it is sticky. */
const TOAST_MS = 12000;

/**
 * The preview's page: a global header (search, act as), then a Lead page, an Account page or the
 * landing page, and the toasts the components raise.
 */
export default class App extends LightningElement {
  toasts = [];
  nextToastId = 1;
  keyDraft = '';
  userDraft = '';
  /** The page's component, loaded as its own chunk (PAGES), or why it could not be. */
  pageComponent;
  pageProblem;

  constructor() {
    super();
    this.addEventListener('lightning__showtoast', (event) => this.showToast(event.detail || {}));
  }

  get pageKind() {
    return page().page || 'landing';
  }

  get recordId() {
    return page().recordId;
  }

  /** Bound to another interface than loopback, the page has no key: the reader types it. */
  get needsKey() {
    return !apiKey() || !actingUserId();
  }

  get connected() {
    return !this.needsKey;
  }

  get userDraftValue() {
    return this.userDraft || actingUserId();
  }

  connectedCallback() {
    const load = PAGES[this.pageKind];
    if (!load) return;
    load().then(
      (module) => (this.pageComponent = module.default),
      (error) => {
        // Most often the preview was rebuilt since this page was served: its chunk is gone.
        this.pageProblem = {
          status: 0,
          body: {
            error: {
              code: 'PREVIEW_PAGE_NOT_LOADED',
              message: `This page's script could not be loaded (${error && error.message ? error.message : 'network error'}).`,
              action:
                'Reload the page; if the companion was restarted or rebuilt the preview, that brings the new one.',
            },
          },
        };
      },
    );
  }

  get isNotFound() {
    return this.pageKind === 'not-found';
  }

  get notFoundErrors() {
    return {
      status: 404,
      body: {
        error: {
          code: 'NOT_FOUND',
          message: page().problem || 'There is no preview page at this address.',
          action: 'Search for a lead or an account above, or open one from the start page.',
        },
      },
    };
  }

  showToast(detail) {
    const variant = TOAST_ICONS[detail.variant] ? detail.variant : 'info';
    const id = this.nextToastId++;
    this.toasts = [
      ...this.toasts,
      {
        id,
        title: detail.title || detail.label || '',
        message: detail.message || '',
        icon: TOAST_ICONS[variant],
        variantText: variant,
        className: `slds-notify slds-notify_toast slds-theme_${variant}`,
      },
    ];
    if (detail.mode !== 'sticky') {
      // eslint-disable-next-line @lwc/lwc/no-async-operation
      setTimeout(() => this.removeToast(id), TOAST_MS);
    }
  }

  removeToast(id) {
    this.toasts = this.toasts.filter((toast) => toast.id !== id);
  }

  handleDismiss(event) {
    this.removeToast(Number(event.currentTarget.dataset.id));
  }

  handleKeyInput(event) {
    this.keyDraft = event.target.value;
  }

  handleUserInput(event) {
    this.userDraft = event.target.value;
  }

  handleKeySave() {
    const key = this.keyDraft.trim() || apiKey();
    const user = this.userDraftValue.trim();
    if (key && user) {
      rememberApiKey(key);
      rememberActingUser(user);
      window.location.reload();
    }
  }
}
