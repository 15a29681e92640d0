// Product catalog types and the demo catalog. Detection rules tell the agent where each product
// leaves traces: file globs under a detection root on Linux/macOS, registry keys on Windows.
//
// Glob semantics (agent/detect): paths are relative to the detection root, `/`-separated, with
// `*` matching within one segment. The install directory of a match is the directory the first
// wildcard segment matched (e.g. `opt/autodesk/autocad-2025`), or the file's directory when the
// glob has no wildcard; versionFile and serialFile are relative to it.
import { z } from 'zod';
import { ProductCode, ProductKind } from './protocol/common.js';

const RelPath = z.string().min(1).max(512).refine((p) => !p.startsWith('/') && !p.split('/').includes('..'), {
  message: 'must be relative and stay inside the detection root',
});

export const DetectionRule = z.strictObject({
  paths: z.array(RelPath).min(1).max(16),
  versionFile: RelPath.optional(),
  serialFile: RelPath.optional(),
});
export type DetectionRule = z.infer<typeof DetectionRule>;

export const WindowsDetectionRule = z.strictObject({
  /** full registry key paths as `reg query` takes them, e.g. `HKLM\SOFTWARE\Autodesk\...` */
  keys: z.array(z.string().min(1).max(512)).min(1).max(16),
  versionValue: z.string().max(128).optional(),
  serialValue: z.string().max(128).optional(),
});
export type WindowsDetectionRule = z.infer<typeof WindowsDetectionRule>;

/** Same shape as `Product` in server/domain/model.ts (a type test keeps them equal). */
export const Product = z.strictObject({
  code: ProductCode,
  name: z.string().min(1).max(200),
  vendor: z.string().min(1).max(200),
  kind: ProductKind,
  needsProjectMembership: z.boolean(),
  detect: z.strictObject({
    linux: DetectionRule.optional(),
    darwin: DetectionRule.optional(),
    win32: WindowsDetectionRule.optional(),
  }),
});
export type Product = z.infer<typeof Product>;

const SW_YEARS = ['2025', '2024', '2023'];

function solidworks(code: string, edition: 'Standard' | 'Professional' | 'Premium'): Product {
  const slug = edition.toLowerCase();
  return {
    code,
    name: `SOLIDWORKS ${edition}`,
    vendor: 'Dassault Systèmes',
    kind: 'desktop',
    needsProjectMembership: false,
    detect: {
      linux: {
        paths: [`opt/dassault/solidworks-${slug}/*/bin/sldworks`],
        versionFile: 'VERSION',
        serialFile: 'license/serial.txt',
      },
      darwin: {
        paths: [`Applications/SOLIDWORKS ${edition} */SOLIDWORKS.app/Contents/MacOS/sldworks`],
        versionFile: 'VERSION',
        serialFile: 'license/serial.txt',
      },
      win32: {
        keys: SW_YEARS.map((y) => `HKLM\\SOFTWARE\\SolidWorks\\SOLIDWORKS ${y}\\Setup\\${edition}`),
        versionValue: 'Version',
        serialValue: 'SerialNumber',
      },
    },
  };
}

export const demoCatalog: Product[] = [
  solidworks('SW-STD', 'Standard'),
  solidworks('SW-PRO', 'Professional'),
  solidworks('SW-PREMIUM', 'Premium'),
  {
    code: 'ACAD',
    name: 'AutoCAD',
    vendor: 'Autodesk',
    kind: 'desktop',
    needsProjectMembership: false,
    detect: {
      linux: { paths: ['opt/autodesk/autocad-*/bin/acad'], versionFile: 'VERSION', serialFile: 'adlm/serial.txt' },
      darwin: {
        paths: ['Applications/Autodesk/AutoCAD */AutoCAD.app/Contents/MacOS/AutoCAD'],
        versionFile: 'VERSION',
        serialFile: 'adlm/serial.txt',
      },
      win32: {
        keys: ['HKLM\\SOFTWARE\\Autodesk\\AutoCAD\\R25.0\\ACAD-8101:409', 'HKLM\\SOFTWARE\\Autodesk\\AutoCAD\\R24.3\\ACAD-7101:409'],
        versionValue: 'Release',
        serialValue: 'SerialNumber',
      },
    },
  },
  {
    code: 'REVIT',
    name: 'Revit',
    vendor: 'Autodesk',
    kind: 'desktop',
    needsProjectMembership: false,
    detect: {
      // Revit ships for Windows only; the Linux rule exists for fake installs in demos and tests.
      linux: { paths: ['opt/autodesk/revit-*/bin/revit'], versionFile: 'VERSION', serialFile: 'adlm/serial.txt' },
      win32: {
        keys: ['HKLM\\SOFTWARE\\Autodesk\\Revit\\2025\\REVIT-05:0409', 'HKLM\\SOFTWARE\\Autodesk\\Revit\\2024\\REVIT-05:0409'],
        versionValue: 'ProductVersion',
        serialValue: 'SerialNumber',
      },
    },
  },
  {
    code: 'BIM-COLLAB',
    name: 'BIM Collaborate Pro',
    vendor: 'Autodesk',
    kind: 'service',
    needsProjectMembership: true,
    detect: {},
  },
  {
    code: 'MYSW-PRO',
    name: 'MySolidWorks Professional',
    vendor: 'Dassault Systèmes',
    kind: 'service',
    needsProjectMembership: false,
    detect: {},
  },
];
