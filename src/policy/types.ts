/**
 * The campus policy (issue 12) as Snarf holds it after loading: a rule per kind of finding,
 * registered exceptions with owner, reason and expiry, the responses each kind calls for, and
 * the procedure followed when a violation is found. Pure data; the file format and its
 * validation are in ./policy-file.ts, the matching in ./evaluate.ts.
 */

/**
 * Kinds of finding the policy speaks about. The P2P kinds are those of host verdicts
 * (src/model/verdict.ts); `irc-bot` / `irc` come from IRC clusters (confirmed or suspected
 * bots vs. plain chat); the rest from behaviour anomalies (`spam-bot` is mass SMTP).
 */
export const FINDING_KINDS = [
  'winny', 'share', 'bittorrent', 'gnutella', 'gnutella2', 'edonkey', 'p2p', 'skype',
  'irc-bot', 'irc', 'spam-bot', 'sweep', 'scan', 'fan-in', 'non-http', 'non-smtp', 'always-on',
] as const;
export type FindingKind = (typeof FINDING_KINDS)[number];

/** allowed: never a violation; banned: always one; registration: one unless a registration covers it. */
export type PolicyRule = 'allowed' | 'banned' | 'registration';
export const POLICY_RULES: readonly PolicyRule[] = ['allowed', 'banned', 'registration'];

export type FindingLevel = 'confirmed' | 'likely' | 'watch';
export const LEVEL_RANK: Record<FindingLevel, number> = { confirmed: 3, likely: 2, watch: 1 };

/**
 * What Snarf may propose: block the internal host, block the peer (for a bot, the command
 * server), or put the host on the reset list (TCP resets instead of silent drops).
 */
export type ResponseAction = 'block-host' | 'block-peer' | 'reset';
export const RESPONSE_ACTIONS: readonly ResponseAction[] = ['block-host', 'block-peer', 'reset'];

export interface KindPolicy {
  rule: PolicyRule;
  /** Findings below this level are shown but never violations (default: the policy's min_level). */
  minLevel: FindingLevel;
  /** Actions proposed for a violation of this kind (may be empty: report only). */
  respond: ResponseAction[];
  /** Violations at least this sure get proposals (default confirmed: no action on a hint). */
  respondLevel: FindingLevel;
  /** Proposals of this kind are approved by the policy itself (recorded as actor `policy`). */
  autoApprove: boolean;
  /** How long an approved action lasts, in seconds. */
  durationS: number;
}

export interface Registration {
  /** Stable id for references (given, or `reg-N` by position). */
  id: string;
  /** A canonical network `addr/prefix` (a single host is /32 or /128). */
  net: string;
  kinds: FindingKind[];
  owner: string;
  reason: string;
  /** Start of validity, µs UTC (default: always). */
  fromUs: number | null;
  /** End of validity, µs UTC (required: no exception lasts for ever). */
  expiresUs: number;
}

export interface ProcedureStep {
  /** 1 = first offence, 2 = second, ...; the last step also applies to every later offence. */
  offence: number;
  title: string;
  tasks: string[];
}

export interface Policy {
  /** File it came from, for messages and for the `policy` actor's name. */
  file: string;
  /** Internal networks (optional; commands fall back to the store's). */
  homeNets: string[];
  kinds: Record<FindingKind, KindPolicy>;
  registrations: Registration[];
  procedure: { windowDays: number; steps: ProcedureStep[] };
}
