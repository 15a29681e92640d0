import { describe, expect, it } from 'vitest';
import { passwordClient, passwordPriority, WorkGate } from './password.js';

/** A job that runs until released, recording when it started. */
function held(log: string[], name: string) {
  let release!: () => void;
  const done = new Promise<void>((r) => (release = r));
  return { job: () => (log.push(name), done), release: () => release() };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('WorkGate', () => {
  it('serves waiting work one client after another, not first come first served', async () => {
    const gate = new WorkGate(1, 16, 16);
    const log: string[] = [];
    const first = held(log, 'first');
    const running = gate.run(first.job);
    const jobs: Array<{ p: Promise<void>; release: () => void }> = [];
    const enqueue = (client: string, name: string) => {
      const h = held(log, name);
      jobs.push({ p: passwordClient.run(client, () => gate.run(h.job)), release: h.release });
    };
    for (let i = 0; i < 3; i++) enqueue('flood', `flood${i}`);
    enqueue('genuine', 'genuine');
    expect(gate.waiting).toBe(4);
    first.release();
    await running;
    for (const j of jobs) {
      await tick();
      j.release();
    }
    await Promise.all(jobs.map((j) => j.p));
    // The genuine client's one job ran second, between the flood's, not after all three.
    expect(log).toEqual(['first', 'flood0', 'genuine', 'flood1', 'flood2']);
  });

  it('refuses beyond the per-client share of the queue at once, and still admits another client', async () => {
    const gate = new WorkGate(1, 16, 2);
    const blocker = held([], 'b');
    const running = gate.run(blocker.job);
    const flood = [0, 1, 2].map(() => passwordClient.run('flood', () => gate.run(async () => undefined)));
    await expect(flood[2]).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    const genuine = passwordClient.run('genuine', () => gate.run(async () => 'ok'));
    expect(gate.waiting).toBe(3);
    blocker.release();
    await running;
    expect(await genuine).toBe('ok');
    await Promise.all(flood.slice(0, 2));
  });

  it('keeps one of two slots for priority work: ordinary work waits with one running', async () => {
    const gate = new WorkGate(2, 16, 16);
    const log: string[] = [];
    const a = held(log, 'a');
    const ra = gate.run(a.job);
    const rb = gate.run(async () => void log.push('b'));
    await tick();
    expect(log).toEqual(['a']);
    expect(gate.waiting).toBe(1);
    // A priority job starts at once on the kept slot.
    const p = passwordPriority.run(true, () => gate.run(async () => void log.push('priority')));
    await p;
    expect(log).toEqual(['a', 'priority']);
    a.release();
    await Promise.all([ra, rb]);
    expect(log).toEqual(['a', 'priority', 'b']);
    expect(gate.running).toBe(0);
  });

  it('refuses ordinary work beyond the whole queue, whatever the client', async () => {
    const gate = new WorkGate(1, 1, 4);
    const blocker = held([], 'b');
    const running = gate.run(blocker.job);
    const waiting = passwordClient.run('x', () => gate.run(async () => undefined));
    await expect(passwordClient.run('y', () => gate.run(async () => undefined))).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    blocker.release();
    await Promise.all([running, waiting]);
  });
});
