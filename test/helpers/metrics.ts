// Scraping /metrics as Prometheus does, and parsing the text format it answers with.
import { expect } from 'vitest';

export type Samples = Map<string, number>;

/** Prometheus text format 0.0.4: `name{labels} value` lines; every family must have a TYPE. */
export function parseMetrics(text: string): { samples: Samples; types: Map<string, string> } {
  const samples: Samples = new Map();
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const type = line.match(/^# TYPE (\S+) (counter|gauge|histogram|summary|untyped)$/);
    if (type) {
      types.set(type[1]!, type[2]!);
      continue;
    }
    if (line.startsWith('#')) continue;
    const m = line.match(/^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)$/);
    if (!m) throw new Error(`not a metrics line: ${line}`);
    samples.set(m[1]! + (m[2] ?? ''), Number(m[3]));
  }
  return { samples, types };
}

/** GET /metrics with the bearer token; checks the answer is the Prometheus text format. */
export async function scrapeMetrics(baseUrl: string, token: string): Promise<ReturnType<typeof parseMetrics>> {
  const res = await fetch(`${baseUrl}/metrics`, { headers: { authorization: `Bearer ${token}` } });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parseMetrics(await res.text());
}
