/**
 * What the routes of `snarf serve` share: the read-only store, its queries, the notes, the
 * templates, the access settings, and the writer of response decisions. Built once by createServerApp().
 */
import type { SqliteStore } from '../store/sqlite/sqlite-store.js';
import type { ServerQueries } from '../store/sqlite/server-queries.js';
import type { NotesStore } from '../state/notes.js';
import type { Views } from '../report/views.js';
import type { AccessOptions } from './access.js';
import type { DecisionWriter } from './responses.js';

export interface ServerContext {
  store: SqliteStore;
  queries: ServerQueries;
  notes: NotesStore;
  views: Views;
  /** The static site's directory, when one is served. */
  siteDir: string | null;
  access: AccessOptions;
  /** The writable connection for response decisions, opened at the first one (responses.ts). */
  decisions: DecisionWriter;
  now(): number;
}
