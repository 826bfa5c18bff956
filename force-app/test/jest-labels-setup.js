/**
 * Custom labels as the org serves them: each `@salesforce/label/c.<name>` import gets the English value
 * from force-app/main/default/labels, so tests read what a person reads. A component importing a label
 * the file lacks fails to load (no silent fallback to the label's name).
 */
const { readFileSync } = require('node:fs');
const path = require('node:path');

const xml = readFileSync(path.join(__dirname, '../main/default/labels/CustomLabels.labels-meta.xml'), 'utf8');
const unescape = (text) =>
  text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
for (const [, block] of xml.matchAll(/<labels>([\s\S]*?)<\/labels>/g)) {
  const name = /<fullName>([^<]+)<\/fullName>/.exec(block)[1];
  const mockValue = unescape(/<value>([\s\S]*?)<\/value>/.exec(block)[1]);
  jest.doMock(`@salesforce/label/c.${name}`, () => ({ __esModule: true, default: mockValue }), {
    virtual: true,
  });
}
