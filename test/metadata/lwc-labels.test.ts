import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseSync, traverse } from '@babel/core';
import { describe, expect, it } from 'vitest';

// Every word a person reads in the package's components comes from a custom label, so an org can
// translate it (DEVELOPING.md, "Lightning components"). These checks read the component sources and
// fail on words written into a template or a script instead.

const LWC = 'force-app/main/default/lwc';

function sources(ext: string): string[] {
  const out: string[] = [];
  for (const bundle of readdirSync(LWC, { withFileTypes: true })) {
    if (!bundle.isDirectory()) continue;
    for (const file of readdirSync(path.join(LWC, bundle.name))) {
      if (file.endsWith(ext)) out.push(path.join(LWC, bundle.name, file));
    }
  }
  return out.sort();
}

/** Attributes whose value a person reads or hears. */
const READ_ATTRIBUTES =
  /\s(label|title|alternative-text|placeholder|aria-label|header|message-when-[\w-]+|field-level-help)="([^"]*)"/g;
const hasWords = (text: string) => /\p{L}{2,}/u.test(text.replace(/&\w+;/g, ''));
/** Two or more plain words (a CSS class list such as "slds-badge badge" is not a sentence). */
const isSentence = (text: string) =>
  text.split(/\s+/).filter((token) => /^[\p{L}'’]{2,}[,.:;!?)]*$/u.test(token.replace(/^[("“]/, '')))
    .length >= 2;

/** Words in a template that do not come from an expression: text between tags, and read attributes. */
function templateWords(html: string): string[] {
  const found: string[] = [];
  const withoutComments = html.replace(/<!--[\s\S]*?-->/g, '');
  for (const [, text] of withoutComments.matchAll(/>([^<]+)</g)) {
    const literal = text!.replace(/\{[^}]*\}/g, '').trim();
    if (hasWords(literal)) found.push(literal);
  }
  for (const [, name, value] of withoutComments.matchAll(READ_ATTRIBUTES)) {
    if (!/^\{[^}]*\}$/.test(value!) && hasWords(value!)) found.push(`${name}="${value}"`);
  }
  return found;
}

/** String and template literals of a script that read as words ("two words"), outside imports. */
function scriptWords(source: string): string[] {
  const ast = parseSync(source, {
    babelrc: false,
    configFile: false,
    sourceType: 'module',
    parserOpts: { plugins: ['decorators-legacy'] },
  });
  const found: string[] = [];
  traverse(ast!, {
    ImportDeclaration(p) {
      p.skip();
    },
    StringLiteral(p) {
      if (isSentence(p.node.value)) found.push(p.node.value);
    },
    TemplateElement(p) {
      if (isSentence(p.node.value.cooked ?? '')) found.push(p.node.value.cooked ?? '');
    },
  });
  return found;
}

describe('the components’ words are custom labels', () => {
  it.each(sources('.html'))('%s writes no words of its own', (file) => {
    expect(templateWords(readFileSync(file, 'utf8'))).toEqual([]);
  });

  it.each(sources('.js'))('%s writes no sentences of its own', (file) => {
    expect(scriptWords(readFileSync(file, 'utf8'))).toEqual([]);
  });

  it('finds words written into a template or a script', () => {
    expect(
      templateWords(
        '<template><p>{label.X}</p><h2>Matched Leads</h2><lightning-input label="Search" placeholder={p}></lightning-input></template>',
      ),
    ).toEqual(['Matched Leads', 'label="Search"']);
    expect(
      scriptWords(
        "import X from '@salesforce/label/c.Some_Label';\nconst icon = 'utility:refresh';\nconst t = `Matched Leads (${n})`;\nconst m = 'Something went wrong.';",
      ),
    ).toEqual(['Matched Leads (', 'Something went wrong.']);
  });
});
