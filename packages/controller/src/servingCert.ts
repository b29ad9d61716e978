/**
 * The metrics server's TLS certificate, as controller-runtime finds it: `tls.crt` and `tls.key`
 * in a directory when one is given (a cert-manager or service-ca Secret mounted there), else a
 * self-signed certificate generated at start (P-256, one year, for `localhost` and loopback).
 * node:crypto makes keys but not X.509 certificates: the maintained `selfsigned` library signs
 * it, loaded only when a certificate is generated.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface ServingCert {
  /** PEM. */
  readonly cert: string;
  /** PEM; never logged. */
  readonly key: string;
}

export const CERT_FILE = 'tls.crt';
export const KEY_FILE = 'tls.key';

export const readServingCert = async (dir: string): Promise<ServingCert> => ({
  cert: await readFile(join(dir, CERT_FILE), 'utf8'),
  key: await readFile(join(dir, KEY_FILE), 'utf8'),
});

export const selfSignedServingCert = async (): Promise<ServingCert> => {
  const { generate } = await import('selfsigned');
  const pems = await generate([{ name: 'commonName', value: 'capt-endpoint' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }, { type: 7, ip: '::1' }] },
    ],
  });
  return { cert: pems.cert, key: pems.private };
};

/** The certificate in `dir`, or a self-signed one without it. */
export const servingCert = (dir: string | undefined): Promise<ServingCert> => (dir === undefined ? selfSignedServingCert() : readServingCert(dir));
