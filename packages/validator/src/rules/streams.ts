import { child, index, key } from '../field-path.js';
import { byteLength, POSTGRES_IDENTIFIER_MAX_BYTES } from '../kubernetes/names.js';
import { closest } from '../suggest.js';
import type { Rule } from './rule.js';
import type { RuleContext } from './rule-context.js';
import { preparedDatabaseEntries } from './users.js';

type Manifest = RuleContext['object'];

/** PostgreSQL replication slot names: lower-case letters, digits and `_` (`ReplicationSlotValidateName`). */
const SLOT_NAME = /^[a-z0-9_]+$/;

/** A table as it goes unquoted into `CREATE PUBLICATION … FOR TABLE`: `table` or `schema.table`. */
const SIMPLE_IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

/** `streams.go:getSlotName`: `fes_<database>_<applicationId with - replaced by _>`. */
export function streamSlotName(database: string, applicationId: string): string {
  return `fes_${database}_${applicationId.replaceAll('-', '_')}`;
}

function streams(object: Manifest) {
  return (object.spec?.streams ?? []).map((stream, i) => ({ stream, path: index('spec.streams', i) }));
}

export const streamsInvalidSlotName: Rule = {
  id: 'streams/invalid-slot-name',
  severity: 'error',
  summary:
    'A stream’s `database` and `applicationId` give an invalid replication slot name `fes_<database>_<applicationId>`.',
  why: 'The operator names the logical replication slot `fes_<database>_<applicationId with - → _>`; PostgreSQL accepts only lower-case letters, digits and `_`, at most 63 bytes, so the slot and with it the stream cannot be created.',
  bad: 'spec:\n  databases:\n    shop: shop_owner\n  users:\n    shop_owner: []\n  streams:\n    - applicationId: Order.Service\n      database: shop\n      tables:\n        data.orders:\n          eventType: order-events\n',
  good: 'spec:\n  databases:\n    shop: shop_owner\n  users:\n    shop_owner: []\n  streams:\n    - applicationId: order-service\n      database: shop\n      tables:\n        data.orders:\n          eventType: order-events\n',
  *check({ object }) {
    for (const { stream, path } of streams(object)) {
      const database = stream?.database;
      const applicationId = stream?.applicationId;
      if (database === undefined || applicationId === undefined) continue;
      const slot = streamSlotName(database, applicationId);
      if (!SLOT_NAME.test(database)) {
        yield {
          path: child(path, 'database'),
          message: `replication slot ${JSON.stringify(slot)} is invalid: database ${JSON.stringify(database)} contains characters other than lower-case letters, digits and _`,
          hint: 'stream a database whose name is lower-case letters, digits and _ only',
        };
      }
      if (!SLOT_NAME.test(applicationId.replaceAll('-', '_'))) {
        yield {
          path: child(path, 'applicationId'),
          message: `replication slot ${JSON.stringify(slot)} is invalid: applicationId ${JSON.stringify(applicationId)} contains characters other than lower-case letters, digits, - and _`,
          hint: `write e.g. ${JSON.stringify(applicationId.toLowerCase().replace(/[^a-z0-9_-]/g, '-'))}`,
        };
      }
      const bytes = byteLength(slot);
      if (bytes > POSTGRES_IDENTIFIER_MAX_BYTES) {
        yield {
          path: child(path, 'applicationId'),
          message: `replication slot ${JSON.stringify(slot)} is ${bytes} bytes, more than PostgreSQL's ${POSTGRES_IDENTIFIER_MAX_BYTES}`,
          hint: `shorten applicationId or the database name by ${bytes - POSTGRES_IDENTIFIER_MAX_BYTES} bytes`,
        };
      }
    }
  },
};

export const streamsInvalidTableName: Rule = {
  id: 'streams/invalid-table-name',
  severity: 'error',
  target: 'key',
  summary: 'A stream table key that is not a simple lower-case `table` or `schema.table`.',
  why: 'The operator splits the key at the first dot (default schema `public`) and puts the parts unquoted into `CREATE PUBLICATION … FOR TABLE`: upper case is folded to another table, other characters or a second dot break the statement or silently drop a part.',
  bad: 'spec:\n  streams:\n    - applicationId: order-service\n      database: postgres\n      tables:\n        Data.Orders:\n          eventType: order-events\n',
  good: 'spec:\n  streams:\n    - applicationId: order-service\n      database: postgres\n      tables:\n        data.orders:\n          eventType: order-events\n',
  *check({ object }) {
    for (const { stream, path } of streams(object)) {
      for (const table of Object.keys(stream?.tables ?? {})) {
        const parts = table.split('.');
        if (parts.length <= 2 && parts.every((part) => isSimpleIdentifier(part))) continue;
        yield {
          path: key(child(path, 'tables'), table),
          message: `table ${JSON.stringify(table)} is not a simple lower-case table or schema.table: the operator uses it unquoted in CREATE PUBLICATION${parts.length > 2 ? ` and keeps only "${parts[0]}.${parts[1]}"` : ''}`,
          hint: `write ${JSON.stringify(parts.slice(0, 2).map(identifierLike).join('.'))}: lower-case letters, digits and _, one dot between schema and table`,
        };
      }
    }
  },
};

function isSimpleIdentifier(part: string): boolean {
  return SIMPLE_IDENTIFIER.test(part) && byteLength(part) <= POSTGRES_IDENTIFIER_MAX_BYTES;
}

function identifierLike(part: string): string {
  const cleaned = part.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  return /^[a-z_]/.test(cleaned) ? cleaned : `_${cleaned}`;
}

/** Databases the cluster will have: `postgres`, the `databases` and the prepared databases. */
function clusterDatabases(object: Manifest): Set<string> {
  return new Set([
    'postgres',
    ...Object.keys(object.spec?.databases ?? {}),
    ...preparedDatabaseEntries(object).map((entry) => entry.name),
  ]);
}

export const streamsUnknownDatabase: Rule = {
  id: 'streams/unknown-database',
  severity: 'warning',
  summary: 'A stream’s `database` is not created by this manifest (`databases`, `preparedDatabases`).',
  why: 'The operator skips a stream whose database does not exist (`database "shop" does not exist in the cluster`): no slot, no publication, no events. The database must exist before the stream is synced.',
  bad: 'spec:\n  streams:\n    - applicationId: order-service\n      database: shop\n      tables:\n        data.orders:\n          eventType: order-events\n',
  good: 'spec:\n  preparedDatabases:\n    shop: {}\n  streams:\n    - applicationId: order-service\n      database: shop\n      tables:\n        data.orders:\n          eventType: order-events\n',
  *check({ object }) {
    const known = clusterDatabases(object);
    for (const { stream, path } of streams(object)) {
      const database = stream?.database;
      if (database === undefined || known.has(database)) continue;
      const guess = closest(database, known);
      yield {
        path: child(path, 'database'),
        message: `database ${JSON.stringify(database)} does not exist in the cluster as far as this manifest says: unless it is created otherwise, the operator skips this stream`,
        hint:
          guess === undefined
            ? `add ${JSON.stringify(database)} to databases or preparedDatabases, or make sure it exists before the stream is synced`
            : `did you mean ${JSON.stringify(guess)}?`,
      };
    }
  },
};

/** Rules about change-data-capture streams (spec.streams). */
export const STREAMS_RULES: readonly Rule[] = [
  streamsInvalidSlotName,
  streamsInvalidTableName,
  streamsUnknownDatabase,
];
