/**
 * Queries for a component that opens a `c-change-form` (pool tables, territory tables): its own fields
 * are in its shadow root (slotted into the form), the reason, error panel and buttons in the form's.
 */
const openForm = (element) => element.shadowRoot.querySelector('c-change-form');

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
