import type { Palette } from './colors.js';
import type { FileResult } from './file-result.js';
import { formatGithub } from './github.js';
import { formatJson } from './json.js';
import { formatJunit } from './junit.js';
import { formatSarif } from './sarif.js';
import { formatText } from './text.js';

/** Every output format of `lint` and `audit`. */
export const FORMATS = ['text', 'json', 'sarif', 'junit', 'github'] as const;
export type Format = (typeof FORMATS)[number];

export function isFormat(name: string): name is Format {
  return (FORMATS as readonly string[]).includes(name);
}

export function formatResults(format: Format, results: readonly FileResult[], palette: Palette): string {
  switch (format) {
    case 'json':
      return formatJson(results);
    case 'sarif':
      return formatSarif(results);
    case 'junit':
      return formatJunit(results);
    case 'github':
      return formatGithub(results);
    default:
      return formatText(results, palette);
  }
}
