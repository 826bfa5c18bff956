/**
 * Queries for a component that opens a `c-change-form` (pool tables, territory tables): its own fields
 * are in its shadow root (slotted into the form), the reason, error panel and buttons in the form's.
 */
import { createElement } from 'lwc';
import { flushPromises } from './flushPromises';

const openForm = (element) => element.shadowRoot.querySelector('c-change-form');

/**
 * Puts the component on the page and lets it load; collects the toasts it shows and the `routingchange`
 * events it fires (one per stored change).
 */
export async function mountChanging(tag, Component) {
  const element = createElement(tag, { is: Component });
  const toasts = [];
  const changes = [];
  element.addEventListener('lightning__showtoast', (event) => toasts.push(event.detail));
  element.addEventListener('routingchange', () => changes.push(true));
  document.body.appendChild(element);
  await flushPromises();
  return { element, toasts, changes };
}

/** The open change form, or null. */
export function changeForm(element) {
  return openForm(element);
}

/** The first match in the component, else in its open change form. */
export function $(element, selector) {
  return (
    element.shadowRoot.querySelector(selector) ??
    openForm(element)?.shadowRoot.querySelector(selector) ??
    null
  );
}

/** Every match in the component, then in its open change form. */
export function $$(element, selector) {
  const form = openForm(element);
  return [
    ...element.shadowRoot.querySelectorAll(selector),
    ...(form ? form.shadowRoot.querySelectorAll(selector) : []),
  ];
}

/** Text as a person reads it: white space folded. */
export function text(node) {
  return node.textContent.replace(/\s+/g, ' ').trim();
}

/** The open change form's heading. */
export function formHeading(element) {
  return text(openForm(element).shadowRoot.querySelector('h4'));
}

/** Types into an input (a checkbox is ticked, a select chosen) as a person does, firing its event. */
export function type(element, selector, value) {
  const input = $(element, selector);
  if (input.type === 'checkbox') {
    input.checked = value;
    input.dispatchEvent(new CustomEvent('change'));
    return;
  }
  input.value = value;
  input.dispatchEvent(new CustomEvent(input.tagName === 'SELECT' ? 'change' : 'input'));
}
