/** IRC lines from payloads: parsing, bot vocabulary, nick patterns, and hostile input. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { botCommand, botReply, ircFacts, isBotNick, MAX_LINES, nickPattern, parseIrcLines, parseLine } from '../../src/analysis/irc-payload.js';
import { safeText, sniffProtocol } from '../../src/analysis/packet-payload.js';

const b = (s: string): Uint8Array => Buffer.from(s, 'latin1');

test('client lines: nick, ident, channel with key; the sender is a client', () => {
  const f = ircFacts(parseIrcLines(b('NICK [JPN|XP|293060]\r\nUSER jpnx 0 0 :[JPN|XP|293060]\r\nJOIN #x0x s3cr3t\r\n')));
  assert.equal(f.sender, 'client');
  assert.deepEqual(f.nicks, ['[JPN|XP|293060]']);
  assert.deepEqual(f.idents, ['jpnx :[JPN|XP|293060]']);
  assert.deepEqual(f.channels, [{ name: '#x0x', key: 's3cr3t' }]);
});

test('server lines: relayed bot command, its sender, server name from numerics', () => {
  const f = ircFacts(parseIrcLines(b(':h4x0r!boss@cc.example PRIVMSG #x0x :!ddos.syn 192.0.2.99 80 600\r\n:irc.cnc.example 332 bot #x0x :!scan dcom2 200\r\n')));
  assert.equal(f.sender, 'server');
  assert.deepEqual(f.commands.map((c) => c.verb), ['!ddos.syn', '!scan']);
  assert.equal(f.commands[0]!.text, '!ddos.syn 192.0.2.99 80 600');
  assert.deepEqual(f.senders, ['h4x0r!boss@cc.example']);
  assert.deepEqual(f.serverNames, ['irc.cnc.example']);
});

test('bot vocabulary: commands and replies of bot families; chat-bot words are not', () => {
  assert.equal(botCommand('!scan dcom2 200 3 0 -r -s')?.verb, '!scan');
  assert.equal(botCommand('.advscan lsass 100 5 0 -r')?.verb, '.advscan');
  assert.equal(botCommand('!download http://x/upd.exe c:\\upd.exe 1')?.verb, '!download');
  assert.equal(botCommand('!seen kenji'), null);
  assert.equal(botCommand('hello !scan'), null);
  assert.equal(botReply('[SCAN]: Random Port Scan started'), '[SCAN]');
  assert.equal(botReply('[DDoS]: Flooding: (192.0.2.99:80)'), '[DDoS]');
  assert.equal(botReply('[quote] of the day'), null);
});

test('bot-style nicks and their patterns', () => {
  for (const n of ['[JPN|XP|293060]', '[USA|XP|32610]', '[JPN|2K|630032]', 'DEU|01234', '[00|USA|XP|SP2|4123]']) assert.ok(isBotNick(n), n);
  for (const n of ['yamada', 'kenji', 'molochtest', 'john|away', 'bob2023']) assert.ok(!isBotNick(n), n);
  assert.equal(nickPattern('[JPN|XP|293060]'), '[JPN|XP|nnnnnn]');
  assert.equal(nickPattern('[JPN|2K|630032]'), '[JPN|2K|nnnnnn]');
});

test('not IRC: HTTP, SMTP, FTP/POP USER, SSH, binary', () => {
  for (const s of ['GET / HTTP/1.1\r\nHost: x\r\n\r\n', 'EHLO pc0.example.jp\r\n', 'USER anonymous\r\n', 'SSH-2.0-PuTTY\r\n', '\x00\x01\x02\x03binary']) {
    assert.deepEqual(parseIrcLines(b(s)), [], s);
  }
  assert.equal(sniffProtocol(b('NICK kenji\r\nUSER kenji 8 * :Kenji\r\n')), 'irc');
  assert.equal(sniffProtocol(b('BREW /pot HTTP/1.1\r\n\r\n')), 'http-request');
  assert.equal(sniffProtocol(b('\x13BitTorrent protocol\x00\x00')), 'bittorrent');
});

test('hostile text: escapes, bidi overrides, NULs and length are neutralised', () => {
  const payload = Buffer.from('NICK [\x1b[31m<script>|\u202e|123456]\r\nJOIN #<img\x00src=x> key\r\n', 'utf8');
  const f = ircFacts(parseIrcLines(payload));
  for (const s of [...f.nicks, ...f.channels.map((c) => c.name)]) {
    assert.ok(/^[\x20-\x7e]*$/.test(s), `printable ASCII only: ${s}`);
  }
  assert.deepEqual(f.nicks, ['[\\x1b[31m<script>|\\xe2\\x80\\xae|123456]']);
  assert.deepEqual(f.channels, [{ name: '#<img\\x00src=x>', key: 'key' }]);
  assert.equal(safeText('a\u202eb\x00c\\'), 'a\\u202eb\\x00c\\\\');
  assert.equal(safeText('x'.repeat(500), 10), `${'x'.repeat(10)}...`);
});

test('bounded: a megabyte without newlines, thousands of lines, and random bytes', () => {
  const long = b(`NICK ${'a'.repeat(1 << 20)}`);
  const f = ircFacts(parseIrcLines(long));
  assert.ok(f.nicks.every((n) => n.length <= 70));
  const many = b('PING :x\r\nNICK n\r\n'.repeat(5000));
  assert.ok(parseIrcLines(many).length <= MAX_LINES);
  fc.assert(fc.property(fc.uint8Array({ maxLength: 2048 }), (u) => {
    const facts = ircFacts(parseIrcLines(u));
    return facts.lines <= MAX_LINES;
  }));
  fc.assert(fc.property(fc.string({ maxLength: 600 }), (s) => {
    const l = parseLine(s);
    return l === null || (l.params.length <= 15 && /^([A-Z]{2,16}|\d{3})$/.test(l.command));
  }));
});
