/**
 * Hostile strings arrive inert: a sensor name carrying CRLF + `Bcc:` (which reaches the subject,
 * since the sensor is silent on the day), a signature message with `<script>`, CRLF + `Bcc:` and
 * an empty line, and IRC-cluster fields with markup. Sent through a real SMTP server on loopback.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { freshSqlite } from '../helpers/store.js';
import { DAY, DAY_START_MS, TZ, fillMailStore } from './fixture.js';
import { headerLines, startSmtp } from './smtp.js';
import { runNightly } from '../../src/mail/nightly.js';
import { smtpSender } from '../../src/mail/send.js';
import { memoryLogger } from '../../src/log.js';
import type { ClusterSource } from '../../src/mail/clusters.js';
import { headerText, oneLine } from '../../src/mail/sanitize.js';

const hostileClusters: ClusterSource = {
  async clusters() {
    return [{
      server: '198.51.100.66', ports: [6667], level: 'confirmed', known: true,
      members: ['192.168.5.5', '192.168.5.6'], newMembers: ['192.168.5.6'],
      reasons: ['bot commands: <script>alert(3)</script>\r\nBcc: irc@evil.example'],
    }];
  },
};

test('CRLF + Bcc: and <script> from the data arrive inert (loopback SMTP)', async () => {
  const { store, path: db } = freshSqlite();
  await fillMailStore(store, { hostile: true });
  const smtp = await startSmtp();
  const sender = smtpSender(smtp.url);
  try {
    const r = await runNightly({
      store, db, day: DAY, logger: memoryLogger(), sender, trigger: 'command', clusters: hostileClusters, now: () => DAY_START_MS + 86_400_000 + 7 * 3_600_000,
      mail: { from: 'snarf@example.ac.jp', to: ['noc@example.ac.jp'], timeZone: TZ, baseUrl: null, top: 10, retry: { attempts: 1, baseMs: 0, maxMs: 0 } },
    });
    assert.equal(r.status, 'sent');
    assert.equal(smtp.received.length, 1);
    const m = smtp.received[0]!;
    // Nobody was added to the envelope, and no header was added to the message.
    assert.deepEqual(m.rcptTo, ['noc@example.ac.jp']);
    const headers = headerLines(m.raw);
    assert.ok(!headers.some((l) => /^(bcc|x-injected):/i.test(l)), headers.join('\n'));
    assert.equal(m.parsed.headers.get('bcc'), undefined);
    assert.equal(m.parsed.headers.get('x-injected'), undefined);
    assert.deepEqual([...m.parsed.headers.keys()].sort(), [
      'auto-submitted', 'content-type', 'date', 'from', 'message-id', 'mime-version', 'subject', 'to', 'x-snarf-day', 'x-snarf-mail',
    ]);
    // The silent hostile sensor is named in the subject, on one line.
    const subject = m.parsed.subject ?? '';
    assert.doesNotMatch(subject, /[\r\n]/);
    assert.ok(subject.endsWith('SILENT: dorm, evil Bcc: victim@evil.example X-Injecte…'), subject); // cut to 40 characters

    // HTML: markup from the data is text.
    const html = typeof m.parsed.html === 'string' ? m.parsed.html : '';
    assert.doesNotMatch(html, /<script|<img/i);
    assert.ok(html.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
    assert.ok(html.includes('&lt;img src=x onerror=alert(2)&gt;'));
    assert.ok(html.includes('bot commands: &lt;script&gt;alert(3)&lt;/script&gt;'));
    // New cluster members are flagged.
    assert.match(html, /NEW <\/strong>(<a [^>]*>)?192\.168\.5\.6/);

    // Text: the message stays on its row; no line of the body starts a header-like "Bcc:".
    const text = m.parsed.text ?? '';
    assert.ok(!text.split('\n').some((l) => /^\s*Bcc:/i.test(l)));
    assert.match(text, /2000099 +\[NEW\] <script>alert\(1\)<\/script> Bcc: thief@evil\.example <img src=x on…$/m);
    assert.match(text, /^ +NEW 192\.168\.5\.6$/m);
  } finally {
    sender.close();
    await store.close();
    await smtp.close();
  }
});

test('sanitisers: controls, bidi overrides and line separators never survive', () => {
  const nasty = 'a\r\nb\u0000c\u001b[31md\u2028e\u202ef\u0085g\tH';
  assert.equal(oneLine(nasty), 'a b c [31md e f g H');
  assert.equal(headerText('x'.repeat(300), 20).length, 20);
  assert.doesNotMatch(headerText(nasty), /[\u0000-\u001f\u007f-\u009f\u2028\u202e]/);
});
