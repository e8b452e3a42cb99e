/** Address keys and texts: the fast paths agree with ipaddr.js on every input. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import ipaddr from 'ipaddr.js';
import { canonicalIp, cidrRange, formatIpv6, inCidr, ipFromKey, ipKey } from '../../src/model/ip.js';

test('IPv6 formatting matches RFC 5952 as ipaddr.js prints it', () => {
  fc.assert(fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.integer({ min: 0, max: 7 }), fc.integer({ min: 0, max: 8 }), (bytes, zs, zn) => {
    const b = Uint8Array.from(bytes);
    for (let i = zs; i < Math.min(8, zs + zn); i++) { b[2 * i] = 0; b[2 * i + 1] = 0; }
    const expected = (ipaddr.fromByteArray(Array.from(b)) as ipaddr.IPv6).toRFC5952String();
    assert.equal(formatIpv6(b), expected);
  }), { numRuns: 2000 });
});

test('keys round-trip and sort IPv4 before IPv6, each in numeric order', () => {
  fc.assert(fc.property(fc.oneof(fc.ipV4(), fc.ipV6()), (ip) => {
    const canon = canonicalIp(ip);
    assert.ok(canon !== null, ip);
    const key = ipKey(canon);
    assert.equal(ipFromKey(key), canon);
    assert.deepEqual(key, Buffer.from(ipaddr.parse(canon).kind() === 'ipv4'
      ? (ipaddr.parse(canon) as ipaddr.IPv4).toIPv4MappedAddress().toByteArray() : ipaddr.parse(canon).toByteArray()));
  }), { numRuns: 2000 });
  assert.ok(Buffer.compare(ipKey('10.0.0.9'), ipKey('10.0.0.10')) < 0);
  assert.ok(Buffer.compare(ipKey('255.255.255.255'), ipKey('2001:db8::1')) < 0);
});

test('canonical text: leading zeros and odd forms are normalised or refused', () => {
  assert.equal(canonicalIp('2001:DB8:0:0:0:0:0:1'), '2001:db8::1');
  assert.equal(canonicalIp('::ffff:10.1.2.3'), '10.1.2.3');
  assert.equal(canonicalIp('010.1.2.3'), null);
  assert.equal(canonicalIp('1.2.3'), null);
  assert.equal(canonicalIp('garbage'), null);
});

test('CIDR ranges for IPv4 and IPv6', () => {
  assert.ok(inCidr('163.221.10.17', '163.221.0.0/16'));
  assert.ok(!inCidr('163.222.0.1', '163.221.0.0/16'));
  assert.ok(inCidr('2001:db8:a3dd:10::11', '2001:db8:a3dd::/48'));
  assert.ok(!inCidr('10.0.0.1', '2001:db8::/32'));
  const r = cidrRange('192.168.0.0/24');
  assert.equal(ipFromKey(r.low), '192.168.0.0');
  assert.equal(ipFromKey(r.high), '192.168.0.255');
});
