/**
 * What the routes of `snarf serve` share: the read-only store and its reads (either store), the
 * notes, the templates, the access settings, and response approval (SQLite only: the proposal
 * tables and the writer of decisions). Built once by createServerApp() / openServerApp().
 */
import type { Store } from '../store/store.js';
import type { SqliteStore } from '../store/sqlite/sqlite-store.js';
import type { ServerReads } from '../store/reads/server-reads.js';
import type { NotesStore } from '../state/notes.js';
import type { Views } from '../report/views.js';
import type { AccessOptions } from './access.js';
import type { DecisionWriter } from './responses.js';

/** The SQLite store's response tables and the writable connection for decisions (responses.ts). */
export interface ResponseContext {
  store: SqliteStore;
  /** Opened at the first decision. */
  decisions: DecisionWriter;
}

export interface ServerContext {
  /** Opened read-only: SQLite as a read-only file, PostgreSQL with read-only sessions. */
  store: Store;
  reads: ServerReads;
  /** Null on PostgreSQL: response approval is SQLite's in this version. */
  responses: ResponseContext | null;
  notes: NotesStore;
  views: Views;
  /** The static site's directory, when one is served. */
  siteDir: string | null;
  access: AccessOptions;
  now(): number;
}
