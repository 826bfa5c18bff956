import { describe, expect, it } from 'vitest';
import { describeTarget, targetProblems } from '../../../src/engine/distribution/target.js';

describe('describeTarget', () => {
  it('names queues and pools the way people say them', () => {
    expect(describeTarget({ queue: 'Partner Queue' })).toBe('the Partner Queue');
    expect(describeTarget({ queue: 'Hopper' })).toBe('the Hopper queue');
    expect(describeTarget({ pool: 'hot-leads' })).toBe('the hot-leads pool');
    expect(describeTarget({ pool: 'SMB pool' })).toBe('the SMB pool');
  });

  it('uses display names when the caller has them', () => {
    const names = {
      user: (id: string) => (id === '005A' ? 'Ava Patel' : undefined),
      pool: () => 'Hot leads',
    };
    expect(describeTarget({ user: '005A' }, names)).toBe('Ava Patel');
    expect(describeTarget({ user: '005B' }, names)).toBe('user 005B');
    expect(describeTarget({ pool: 'hot-leads' }, names)).toBe('the Hot leads pool');
  });

  it('says no one for an empty target', () => {
    expect(describeTarget({})).toBe('no one');
  });
});

describe('targetProblems', () => {
  it('wants exactly one non-empty target', () => {
    expect(targetProblems({ pool: 'p' }, 'assign')).toEqual([]);
    expect(targetProblems(undefined, 'assign')).toEqual([
      { path: 'assign', message: 'names no target: set one of user, queue or pool' },
    ]);
    expect(targetProblems({ user: 'u', queue: 'q', pool: 'p' }, 'assign')[0]!.message).toBe(
      'names a user, a queue and a pool: keep exactly one',
    );
    expect(targetProblems({ queue: '' }, 'assign')).toEqual([
      { path: 'assign.queue', message: 'the queue is empty: name one' },
    ]);
  });
});
