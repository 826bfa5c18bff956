import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

// The boundary rules live in eslint.config.js and run in `npm run lint`; these cases prove they bite.
const eslint = new ESLint();
const engineFile = 'companion/src/engine/boundary-probe.ts';

async function ruleIdsFor(code: string, filePath = engineFile): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).map((m) => m.ruleId ?? m.message);
}

describe('engine boundary', () => {
  it.each([
    ["import { readFileSync } from 'node:fs';\nexport const f = readFileSync;", 'no-restricted-imports'],
    ["import express from 'express';\nexport const e = express;", 'no-restricted-imports'],
    ["import { Connection } from 'jsforce';\nexport const c = Connection;", 'no-restricted-imports'],
    ["import { PGlite } from '@electric-sql/pglite';\nexport const p = PGlite;", 'no-restricted-imports'],
    ["import type { CrmPort } from '../crm/crm.port.js';\nexport type C = CrmPort;", 'no-restricted-imports'],
    ['export const t = Date.now();', 'no-restricted-properties'],
    ['export const r = Math.random();', 'no-restricted-properties'],
    ['export const d = new Date();', 'no-restricted-syntax'],
    ['export const e = process.env.X;', 'no-restricted-globals'],
  ])('refuses %s', async (code, rule) => {
    expect(await ruleIdsFor(code)).toContain(rule);
  });

  it('allows pure code that takes the time as a value', async () => {
    const code = 'export const later = (now: string): Date => new Date(Date.parse(now) + 1000);';
    expect(await ruleIdsFor(code)).toEqual([]);
  });

  it('does not apply outside the engine', async () => {
    expect(await ruleIdsFor('export const t = Date.now();', 'companion/src/routing/probe.ts')).toEqual([]);
  });
});
