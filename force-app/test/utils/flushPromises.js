/** Lets pending promise callbacks (wired data, Apex calls, re-renders) run before the test looks at the DOM. */
export function flushPromises() {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
