import postgresql from '../generated/postgresql.schema.json' with { type: 'json' };
import postgresteam from '../generated/postgresteam.schema.json' with { type: 'json' };
import { ToolError } from './tool-error.js';

/** The JSON schema `acid-guard schema [kind]` prints, for yaml-language-server and other editors. */
export function schemaJsonFor(kind: string): unknown {
  switch (kind.toLowerCase()) {
    case 'postgresql':
      return postgresql;
    case 'postgresteam':
      return postgresteam;
    default:
      throw new ToolError('USAGE', `no schema for "${kind}" (known: postgresql, postgresteam)`);
  }
}
