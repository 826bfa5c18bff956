/** The first match inside the component's `c-load-state` (its spinner, error panel or note), or null. */
export function inLoadState(element, selector) {
  const state = element.shadowRoot.querySelector('c-load-state');
  return (state && state.shadowRoot.querySelector(selector)) || null;
}
