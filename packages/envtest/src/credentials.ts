/**
 * What the API server needs to trust its callers, made with node:crypto for each run: a
 * service-account signing key pair and a static token for the admin (in `system:masters`).
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Credentials {
  readonly adminToken: string;
  readonly tokenAuthFile: string;
  readonly serviceAccountPublicKeyFile: string;
  readonly serviceAccountPrivateKeyFile: string;
}

export const ADMIN_USER = 'envtest-admin';

export const writeCredentials = (dir: string): Credentials => {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const adminToken = randomBytes(32).toString('base64url');
  const files = {
    tokenAuthFile: join(dir, 'tokens.csv'),
    serviceAccountPublicKeyFile: join(dir, 'sa.pub'),
    serviceAccountPrivateKeyFile: join(dir, 'sa.key'),
  };
  // token,user,uid,"group1,group2": kube-apiserver's static token file.
  writeFileSync(files.tokenAuthFile, `${adminToken},${ADMIN_USER},${ADMIN_USER},"system:masters"\n`, { mode: 0o600 });
  writeFileSync(files.serviceAccountPublicKeyFile, publicKey, { mode: 0o600 });
  writeFileSync(files.serviceAccountPrivateKeyFile, privateKey, { mode: 0o600 });
  return { adminToken, ...files };
};
