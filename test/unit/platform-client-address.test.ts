// The caller's address: TCP peer without its port, or the last x-forwarded-for hop behind a trusted gateway.
import assert from 'node:assert/strict';
import { Metadata } from '@grpc/grpc-js';
import { clientAddress, lastForwardedIp, peerIp } from '../../src/platform/client-address';

const md = (...values: string[]) => {
  const m = new Metadata();
  for (const v of values) m.add('x-forwarded-for', v);
  return m;
};

describe('client address (per-IP limits of PlaceOrder and flash-sale Buy)', () => {
  it('strips the port grpc-js appends to the peer, for IPv4 and IPv6', () => {
    assert.equal(peerIp('127.0.0.1:54321'), '127.0.0.1');
    assert.equal(peerIp('::1:5050'), '::1'); // "::1:5050" alone would be a valid IPv6 address
    assert.equal(peerIp('2001:db8::7:443'), '2001:db8::7');
    assert.equal(peerIp('::ffff:10.0.0.2:80'), '10.0.0.2');
    assert.equal(peerIp('[::1]:5050'), '::1');
    assert.equal(peerIp('[2001:db8::1:2]:80'), '2001:db8::1:2');
    assert.equal(peerIp('ipv4:10.1.2.3:999'), '10.1.2.3');
    assert.equal(peerIp('unknown'), 'unknown');
  });

  it('takes the last x-forwarded-for hop (the one the trusted gateway appended)', () => {
    assert.equal(lastForwardedIp(md('198.51.100.1, 203.0.113.7')), '203.0.113.7');
    assert.equal(lastForwardedIp(md('198.51.100.1', '203.0.113.9')), '203.0.113.9');
    assert.equal(lastForwardedIp(md('2001:db8::1:2')), '2001:db8::1:2');
    assert.equal(lastForwardedIp(md('203.0.113.7:8080')), '203.0.113.7');
    assert.equal(lastForwardedIp(md('not-an-ip')), undefined);
    assert.equal(lastForwardedIp(md()), undefined);
  });

  it('uses x-forwarded-for only when trusted, else (or when unusable) the peer', () => {
    const call = { peer: '10.0.0.1:4000', metadata: md('203.0.113.7') };
    assert.equal(clientAddress(call, true), '203.0.113.7');
    assert.equal(clientAddress(call, false), '10.0.0.1');
    assert.equal(clientAddress({ peer: '10.0.0.1:4000', metadata: md('garbage') }, true), '10.0.0.1');
  });
});
