import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROXY_ERROR_CODES } from '../src/proxy/problem.js';
import { json, poolOf, proxyServer, send, start } from './support/proxy-servers.js';

interface Pki {
  ca: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
}

let dir: string;
let pki: Pki;

/** A CA, a server certificate for 127.0.0.1 and a client certificate, made with the openssl CLI. */
function makePki(at: string): Pki {
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: at, stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  ssl(
    'req',
    '-x509',
    ...ec,
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
    '-days',
    '2',
    '-subj',
    '/CN=test-ca',
  );
  writeFileSync(join(at, 'server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:backend.test\n');
  writeFileSync(join(at, 'client.ext'), 'extendedKeyUsage=clientAuth\n');
  for (const [name, ext] of [
    ['server', 'server.ext'],
    ['client', 'client.ext'],
  ] as const) {
    ssl('req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`);
    ssl(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      `${name}.crt`,
      '-days',
      '2',
      '-extfile',
      ext,
    );
  }
  const read = (file: string) => readFileSync(join(at, file), 'utf8');
  return {
    ca: read('ca.crt'),
    serverCert: read('server.crt'),
    serverKey: read('server.key'),
    clientCert: read('client.crt'),
    clientKey: read('client.key'),
  };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'srekit-proxy-tls-'));
  pki = makePki(dir);
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** An https backend that demands a client certificate signed by the test CA. */
function mtlsBackend() {
  const server = https.createServer(
    {
      cert: pki.serverCert,
      key: pki.serverKey,
      ca: pki.ca,
      requestCert: true,
      rejectUnauthorized: true,
    },
    (req, res) => {
      const peer = (req.socket as TLSSocket).getPeerCertificate();
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ client: peer.subject?.CN, url: req.url }));
    },
  );
  return start(server, 'https');
}

describe('proxy TLS to backends', () => {
  it('speaks mTLS with a custom CA and a client certificate', async () => {
    const b = await mtlsBackend();
    const { url } = await proxyServer(poolOf([b.url]), {
      tls: { ca: pki.ca, cert: pki.clientCert, key: pki.clientKey },
    });
    const res = await send(`${url}/secure`);
    expect(res.status).toBe(200);
    expect(json(res)).toEqual({ client: 'client', url: '/secure' });
  });

  it('checks the server name given by servername', async () => {
    const b = await mtlsBackend();
    const good = await proxyServer(poolOf([b.url]), {
      tls: { ca: pki.ca, cert: pki.clientCert, key: pki.clientKey, servername: 'backend.test' },
    });
    expect((await send(good.url)).status).toBe(200);
    const wrong = await proxyServer(poolOf([b.url]), {
      retries: 0,
      tls: { ca: pki.ca, cert: pki.clientCert, key: pki.clientKey, servername: 'other.test' },
    });
    const res = await send(wrong.url);
    expect(res.status).toBe(502);
    expect(json(res).code).toBe(PROXY_ERROR_CODES.UPSTREAM_UNAVAILABLE);
  });

  it('answers 502 when the backend certificate is not trusted', async () => {
    const b = await mtlsBackend();
    const { url } = await proxyServer(poolOf([b.url]), {
      retries: 0,
      tls: { cert: pki.clientCert, key: pki.clientKey },
    });
    const res = await send(url);
    expect(res.status).toBe(502);
    expect(json(res).code).toBe(PROXY_ERROR_CODES.UPSTREAM_UNAVAILABLE);
  });

  it('answers 502 without the client certificate the backend requires', async () => {
    const b = await mtlsBackend();
    const { url } = await proxyServer(poolOf([b.url]), { retries: 0, tls: { ca: pki.ca } });
    const res = await send(url);
    expect(res.status).toBe(502);
    expect(String(json(res).code)).toMatch(/UPSTREAM_UNAVAILABLE|BAD_UPSTREAM_RESPONSE/);
  });
});
