/**
 * The schedule under a controlled clock (node:test mock timers drive node-cron's Date and
 * setTimeout): `30 7 * * *` in Asia/Tokyo fires at 07:30 Tokyo time (22:30 UTC the day before),
 * exactly once that day, and reports the Tokyo day before the firing.
 */
import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import { MailSchedule, reportedDay } from '../../src/collector/schedule.js';
import { memoryLogger } from '../../src/log.js';
import { validateConfig } from '../../src/collector/config.js';

/** Lets node-cron's promise chains (heartbeat → run) settle between clock ticks. */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise<void>((r) => setImmediate(r));
}

test('fires at the configured time in the configured zone, once', async (t) => {
  mock.timers.enable({ apis: ['setTimeout', 'Date'], now: Date.UTC(2026, 10, 20, 22, 0, 0) }); // 07:00 in Tokyo on the 21st
  t.after(() => mock.timers.reset());
  const fired: Array<{ day: string; atMs: number }> = [];
  const s = new MailSchedule({
    schedule: '30 7 * * *', timeZone: 'Asia/Tokyo', logger: memoryLogger(),
    run: async (day) => { fired.push({ day, atMs: Date.now() }); },
  });
  s.start();
  assert.equal(s.nextRun()?.toISOString(), '2026-11-20T22:30:00.000Z');

  mock.timers.tick(29 * 60_000 + 59_000); // 07:29:59 Tokyo
  await settle();
  assert.equal(fired.length, 0, 'not before 07:30 Tokyo');

  mock.timers.tick(1_000); // 07:30:00 Tokyo
  await settle();
  assert.equal(fired.length, 1);
  assert.equal(fired[0]!.atMs, Date.UTC(2026, 10, 20, 22, 30, 0));
  assert.equal(fired[0]!.day, '2026-11-20', 'reports the Tokyo day before the firing');

  // The next 23 h 59 min, in half-hour steps: no second firing...
  for (let i = 0; i < 47; i++) {
    mock.timers.tick(30 * 60_000);
    await settle();
  }
  mock.timers.tick(29 * 60_000);
  await settle();
  assert.equal(fired.length, 1, 'once a day');
  // ...until the next day's 07:30, which reports the next day.
  mock.timers.tick(60_000);
  await settle();
  assert.deepEqual(fired.map((f) => f.day), ['2026-11-20', '2026-11-21']);
  assert.equal(s.nextRun()?.toISOString(), '2026-11-22T22:30:00.000Z');
  await s.stop();
  assert.equal(s.nextRun(), null);
});

test('a zone with daylight saving: 07:00 America/New_York is 12:00 UTC in winter, 11:00 in summer', async (t) => {
  mock.timers.enable({ apis: ['setTimeout', 'Date'], now: Date.UTC(2026, 2, 7, 13, 0, 0) }); // Sat 7 March, 08:00 EST
  t.after(() => mock.timers.reset());
  const fired: number[] = [];
  const s = new MailSchedule({ schedule: '0 7 * * *', timeZone: 'America/New_York', logger: memoryLogger(), run: async () => { fired.push(Date.now()); } });
  s.start();
  for (let h = 0; h < 48; h++) {
    mock.timers.tick(3_600_000);
    await settle();
  }
  await s.stop();
  // Sunday 8 March 2026 DST starts at 02:00: 07:00 EDT = 11:00 UTC; Monday likewise.
  assert.deepEqual(fired.map((ms) => new Date(ms).toISOString()), ['2026-03-08T11:00:00.000Z', '2026-03-09T11:00:00.000Z']);
});

test('reportedDay is the local day before the firing instant', () => {
  assert.equal(reportedDay(Date.UTC(2026, 10, 20, 22, 30), 'Asia/Tokyo'), '2026-11-20');
  assert.equal(reportedDay(Date.UTC(2026, 10, 20, 22, 30), 'UTC'), '2026-11-19');
  assert.equal(reportedDay(Date.UTC(2026, 0, 1, 6), 'Europe/Paris'), '2025-12-31');
});

test('collector config: mail section is checked key by key', () => {
  const base = { inputs: [{ type: 'text', path: '/var/log/snort/alert' }] };
  const ok = validateConfig({
    ...base, mail: { schedule: '30 7 * * *', time_zone: 'Asia/Tokyo', to: ['noc@example.ac.jp'], smtp_url: 'smtp://mail.example.ac.jp:25', from: 'snarf@example.ac.jp', base_url: 'https://snarf.example.ac.jp/' },
  }, '/etc/snarf.yaml');
  assert.equal(ok.mail?.timeZone, 'Asia/Tokyo');
  assert.deepEqual(ok.mail?.to, ['noc@example.ac.jp']);
  assert.equal(ok.mail?.retry.attempts, 5);
  assert.equal(validateConfig(base, '/etc/snarf.yaml').mail, undefined);
  const bad = (mail: Record<string, unknown>, re: RegExp): void => {
    assert.throws(() => validateConfig({ ...base, mail: { to: 'a@b.c', smtp_url: 'smtp://h', from: 'x@y.z', ...mail } }, '/etc/snarf.yaml'), re);
  };
  bad({ shedule: '0 7 * * *' }, /mail\.shedule: unknown key/);
  bad({ schedule: '0 25 * * *' }, /mail\.schedule: .* is not a cron expression/);
  bad({ time_zone: 'Mars/Olympus' }, /mail\.time_zone/);
  bad({ to: ['ok@example.org', 'evil@example.org\r\nBcc: x@evil'] }, /mail\.to\[1\]: .*control character/);
  bad({ smtp_url: 'http://user:secret@h' }, /mail\.smtp_url: "http:\/\/user:\*\*\*@h\/" has scheme http:/);
  bad({ base_url: 'javascript:alert(1)' }, /mail\.base_url/);
});
