import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { errorCodes } from '../shared/errors.js';
import { renderApiDoc, routeTable } from '../scripts/api-doc.js';

describe('README', () => {
  it('starts with the two set-up commands: run and test', async () => {
    const readme = await readFile('README.md', 'utf8');
    const block = readme.match(/```sh\n([\s\S]*?)```/)![1]!.trim().split('\n');
    expect(block).toHaveLength(2);
    expect(block[0]).toMatch(/npm ci && npm start/);
    expect(block[1]).toMatch(/npm ci && npm test/);
    const ci = await readFile('.ci/run', 'utf8');
    expect(ci).toMatch(/npm test/);
  });

  it('documents every route and every error code as the server has them (npm run docs)', async () => {
    const readme = await readFile('README.md', 'utf8');
    const expected = renderApiDoc(await routeTable());
    expect(readme).toContain(expected);
    for (const code of Object.keys(errorCodes)) expect(readme).toContain(`\`${code}\``);
  });
});
