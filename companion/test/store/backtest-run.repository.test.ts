import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  insertBacktestRun,
  readBacktestRun,
  type StoredBacktest,
} from '../../src/store/backtest-run.repository.js';
import type { Store } from '../../src/store/store.js';
import { testBackends } from './backends.js';

const backends = testBackends();
afterAll(async () => {
  for (const b of backends) await b.cleanup();
});

const run = (note: string): Omit<StoredBacktest, 'id'> => ({
  ranAt: '2026-12-07T09:00:00.000Z',
  author: { id: '005SY0000000027YAA', name: 'Zoe Park' },
  liveVersion: 4,
  candidateHash: `hash-${note}`,
  candidate: { 'reroute.flow.yaml': `flow: reroute\n# ${note}\n` },
  scope: { days: 30 },
  summary: { leads: 1 },
  missing: 0,
});

describe.each(backends)('backtest runs on $name', (backend) => {
  let store: Store;
  beforeAll(async () => {
    store = await backend.open();
  });
  afterAll(async () => {
    await store.close();
  });

  it("keeps the newest run's candidate files and drops the older runs' ones, keeping their summaries", async () => {
    expect(await readBacktestRun(store.db)).toBeNull();
    await insertBacktestRun(store.db, run('first'));
    const first = (await readBacktestRun(store.db))!;
    expect(first.candidate).toEqual({ 'reroute.flow.yaml': 'flow: reroute\n# first\n' });
    await insertBacktestRun(store.db, run('second'));
    const second = (await readBacktestRun(store.db))!;
    expect(second.id).toBeGreaterThan(first.id);
    expect(second).toMatchObject({ candidateHash: 'hash-second', liveVersion: 4, summary: { leads: 1 } });
    expect(second.candidate).toEqual({ 'reroute.flow.yaml': 'flow: reroute\n# second\n' });
    expect(await readBacktestRun(store.db, first.id)).toMatchObject({
      id: first.id,
      candidateHash: 'hash-first',
      candidate: null,
      summary: { leads: 1 },
    });
    expect(await readBacktestRun(store.db, second.id + 1)).toBeNull();
  });
});
