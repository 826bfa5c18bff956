import { describe, expect, it } from 'vitest';
import { formatIssue, parseYamlSource, YAML_LIMITS } from '../../../src/engine/flow/yaml-source.js';

/** Every problem of a document as the CLI prints it. */
function problems(text: string): string[] {
  return parseYamlSource(text, 'x.flow.yaml').issues.map(formatIssue);
}

/** A "billion laughs" document: each anchor lists the previous one nine times. */
function aliasBomb(): string {
  let text = 'a: &a [x, x, x, x, x, x, x, x, x]\n';
  for (let i = 1; i <= 8; i++) {
    const prev = String.fromCharCode(96 + i);
    const name = String.fromCharCode(97 + i);
    text += `${name}: &${name} [${Array(9).fill(`*${prev}`).join(', ')}]\n`;
  }
  return text;
}

describe('reading hostile YAML', () => {
  it('refuses an alias bomb at its first alias instead of expanding it', () => {
    expect(problems(aliasBomb())).toEqual([
      `x.flow.yaml:2:8 (document): aliases (*name) expand to more than ${YAML_LIMITS.maxAliasCount} copies: write the values out, or use fewer aliases`,
    ]);
  });

  it('keeps ordinary aliases working', () => {
    const source = parseYamlSource('hot: &hot { field: lead.Status }\nagain: *hot\n', 'x.flow.yaml');
    expect(source.issues).toEqual([]);
    expect(source.data).toEqual({ hot: { field: 'lead.Status' }, again: { field: 'lead.Status' } });
  });

  it('refuses an alias that names the map it is in', () => {
    expect(problems('nodes: &self\n  again: *self\n')).toEqual([
      'x.flow.yaml:2:10 (document): an alias (*name) refers to the map or list it is in, so the document would contain itself: write the values out',
    ]);
  });

  it('refuses nesting past the limit, whether yaml can read it or not', () => {
    const deep = (levels: number) => `x: ${'['.repeat(levels)}${']'.repeat(levels)}\n`;
    expect(problems(deep(YAML_LIMITS.maxDepth - 1))).toEqual([]);
    expect(problems(deep(YAML_LIMITS.maxDepth + 1))).toEqual([
      `x.flow.yaml:1:${YAML_LIMITS.maxDepth + 4} (document): nested more than ${YAML_LIMITS.maxDepth} levels deep: flatten the document`,
    ]);
    // Far deeper than yaml's own reader can go: it runs out of stack, which is reported, not thrown.
    expect(problems(deep(20_000))).toEqual([
      expect.stringMatching(
        /^x\.flow\.yaml:1:\d+ \(document\): YAML: nested too deeply to read \(more than 64 levels are refused\): flatten the document$/,
      ),
    ]);
  });

  it('refuses aliases that nest lists past the limit', () => {
    const nest = (inner: string) => `${'['.repeat(20)}${inner}${']'.repeat(20)}`;
    let text = `a0: &a0 ${nest('x')}\n`;
    for (let i = 1; i <= 3; i++) text += `a${i}: &a${i} ${nest(`*a${i - 1}`)}\n`;
    expect(problems(text)).toEqual([
      `x.flow.yaml:2:29 (document): aliases (*name) nest the document more than ${YAML_LIMITS.maxDepth} levels deep: write the values out`,
    ]);
  });

  it('names each repeated key with its line, in one pass however large the map', () => {
    expect(problems('nodes:\n  a: 1\n  b: 2\n  a: 3\nnodes: 4\n')).toEqual([
      "x.flow.yaml:4:3 (document): YAML: the key 'a' appears twice in this map: keep one",
      "x.flow.yaml:5:1 (document): YAML: the key 'nodes' appears twice in this map: keep one",
    ]);
    const keys = Array.from({ length: 5_000 }, (_, i) => `  k${i}: ${i}\n`).join('');
    expect(problems(`nodes:\n${keys}  k7: again\n`)).toEqual([
      "x.flow.yaml:5002:3 (document): YAML: the key 'k7' appears twice in this map: keep one",
    ]);
  });

  it('lists at most a screenful of problems and counts the rest after them', () => {
    const source = parseYamlSource('a: 1\n', 'x.flow.yaml');
    for (let i = 0; i < 500; i++) source.report(['a'], `problem ${i}`);
    const printed = source.issues.map(formatIssue);
    expect(printed).toHaveLength(YAML_LIMITS.maxIssues + 1);
    expect(printed.at(-1)).toBe(
      `x.flow.yaml:1:5 (document): ${500 - YAML_LIMITS.maxIssues} more problems not listed: fix these first`,
    );
  });

  it('builds a costly message only for problems it lists', () => {
    const source = parseYamlSource('a: 1\n', 'x.flow.yaml');
    let built = 0;
    for (let i = 0; i < 500; i++) source.report(['a'], () => `problem ${++built}`);
    expect(built).toBe(YAML_LIMITS.maxIssues);
  });

  it('escapes control characters and cuts huge values in messages, so output stays one readable line', () => {
    const source = parseYamlSource('a: 1\n', 'x.flow.yaml');
    source.report(['a'], `no pool named '\u001b[31mred\nline'`);
    source.report(['a'], `no pool named '${'p'.repeat(10_000)}'`);
    const [escaped, cut] = source.issues.map(formatIssue);
    expect(escaped).toBe("x.flow.yaml:1:4 a: no pool named '\\u001b[31mred\\u000aline'");
    expect(cut).toMatch(/^x\.flow\.yaml:1:4 a: no pool named 'p+… \(cut at 400 characters\)$/);
    expect(cut!.length).toBeLessThan(500);
  });

  it('names an alias without an anchor, and a tag it does not know, with their lines', () => {
    expect(problems('a: &a x\nb: *a\nc: *nope\n')).toEqual([
      'x.flow.yaml:3:4 (document): YAML: Unresolved alias (the anchor must be set before the alias): nope',
    ]);
    expect(problems('flow: x\nlabel: !!js/function "alert()"\n')).toEqual([
      'x.flow.yaml:2:8 (document): YAML: Unresolved tag: tag:yaml.org,2002:js/function',
    ]);
  });
});
