import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { demoCatalog } from '../../shared/catalog.js';
import { expandGlob } from './glob.js';
import { detectInstalled } from './index.js';

let root: string;
beforeEach(async () => {
  root = await fs.mkdtemp(path.join(tmpdir(), 'sk-detect-'));
});
afterEach(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

async function lay(rel: string, content = '') {
  const file = path.join(root, rel);
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, content);
}

describe('file detection', () => {
  it('finds nothing in an empty root', async () => {
    expect(await detectInstalled({ products: demoCatalog, platform: 'linux', root })).toEqual([]);
  });

  it('finds a Linux install with its version and activation serial', async () => {
    await lay('opt/dassault/solidworks-premium/2024/bin/sldworks');
    await lay('opt/dassault/solidworks-premium/2024/VERSION', '2024 SP5.0\nbuild 123\n');
    await lay('opt/dassault/solidworks-premium/2024/license/serial.txt', '  9000 0000 1111 2222  \n');
    await lay('opt/autodesk/autocad-2025/bin/acad');
    const items = await detectInstalled({ products: demoCatalog, platform: 'linux', root });
    expect(items).toEqual([
      { productCode: 'ACAD', version: null, path: path.join(root, 'opt/autodesk/autocad-2025'), serial: null },
      {
        productCode: 'SW-PREMIUM',
        version: '2024 SP5.0',
        path: path.join(root, 'opt/dassault/solidworks-premium/2024'),
        serial: '9000 0000 1111 2222',
      },
    ]);
  });

  it('reports each installed version of a product once', async () => {
    await lay('opt/autodesk/revit-2024/bin/revit');
    await lay('opt/autodesk/revit-2025/bin/revit');
    const items = await detectInstalled({ products: demoCatalog, platform: 'linux', root });
    expect(items.map((i) => path.basename(i.path))).toEqual(['revit-2024', 'revit-2025']);
  });

  it('does not count a directory without the program file', async () => {
    await fs.mkdir(path.join(root, 'opt/autodesk/autocad-2025/bin'), { recursive: true });
    expect(await detectInstalled({ products: demoCatalog, platform: 'linux', root })).toEqual([]);
  });

  it('uses the macOS rules on darwin (and not the Linux ones)', async () => {
    await lay('Applications/SOLIDWORKS Standard 2025/SOLIDWORKS.app/Contents/MacOS/sldworks');
    await lay('Applications/SOLIDWORKS Standard 2025/VERSION', '2025 SP1');
    await lay('opt/autodesk/autocad-2025/bin/acad');
    const items = await detectInstalled({ products: demoCatalog, platform: 'darwin', root });
    expect(items).toEqual([
      { productCode: 'SW-STD', version: '2025 SP1', path: path.join(root, 'Applications/SOLIDWORKS Standard 2025'), serial: null },
    ]);
  });
});

describe('expandGlob', () => {
  it('matches * and ? within one segment only', async () => {
    await lay('a/x1/f');
    await lay('a/x22/f');
    await lay('a/x1/deeper/f');
    expect((await expandGlob(root, 'a/x?/f')).map((m) => m.file)).toEqual([path.join(root, 'a/x1/f')]);
    expect((await expandGlob(root, 'a/*/f')).map((m) => path.relative(root, m.installDir))).toEqual(['a/x1', 'a/x22']);
  });

  it('treats regex characters in names literally', async () => {
    await lay('a/v1.0+b/f');
    await lay('a/v1x0+b/f');
    expect((await expandGlob(root, 'a/v1.0+*/f')).map((m) => path.relative(root, m.installDir))).toEqual(['a/v1.0+b']);
  });

  it('never climbs out of the root', async () => {
    expect(await expandGlob(path.join(root, 'sub'), '../*')).toEqual([]);
  });
});
