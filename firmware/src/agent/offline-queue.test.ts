import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OfflineQueue } from './offline-queue.js';

describe('OfflineQueue', () => {
  it('keeps order and, when full, drops the oldest and counts it', () => {
    const queue = new OfflineQueue<number>(3);
    expect(queue.push(1)).toEqual([]);
    queue.push(2);
    queue.push(3);
    expect(queue.push(4)).toEqual([1]);
    expect(queue.dropped).toBe(1);
    expect(queue.drain()).toEqual([2, 3, 4]);
    expect(queue.size).toBe(0);
  });

  it('puts requeued items in front, in their order, trimming the oldest', () => {
    const queue = new OfflineQueue<string>(4);
    queue.push('c');
    queue.push('d');
    expect(queue.requeue(['a', 'b'])).toEqual([]);
    expect(queue.requeue(['y', 'z'])).toEqual(['y', 'z']);
    expect(queue.dropped).toBe(2);
    expect(queue.drain()).toEqual(['a', 'b', 'c', 'd']);
  });

  it('always holds the newest items, at most its limit, and counts every drop', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }), fc.array(fc.nat(), { maxLength: 100 }), (limit, items) => {
        const queue = new OfflineQueue<number>(limit);
        for (const item of items) queue.push(item);
        expect(queue.size).toBe(Math.min(limit, items.length));
        expect(queue.dropped).toBe(Math.max(0, items.length - limit));
        expect(queue.drain()).toEqual(items.slice(-limit));
      }),
    );
  });

  it('refuses a limit below 1', () => {
    expect(() => new OfflineQueue(0)).toThrow(RangeError);
  });
});
