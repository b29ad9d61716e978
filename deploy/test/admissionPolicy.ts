// The endpoint policy's components as kustomize renders them, and requests to a real API server
// that keep what a writer sees: the status, the body and each Warning header.
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { parse, parseAllDocuments } from 'yaml';

export const COMPONENTS = join(__dirname, '..', 'components');

export interface Manifest {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string };
  readonly spec: Record<string, unknown>;
}

interface Kustomization {
  readonly kind: string;
  readonly resources?: readonly string[];
  readonly patches?: ReadonlyArray<{ readonly target: { readonly group?: string; readonly kind: string; readonly name: string }; readonly patch: string }>;
}

export const kustomizationOf = (component: string): Kustomization => parse(readFileSync(join(COMPONENTS, component, 'kustomization.yaml'), 'utf8')) as Kustomization;

/** JSON Patch `replace` at a path of object keys: the only operation the components use (the deploy tests hold them to it). */
const replaceAt = (object: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> => {
  const [key, ...rest] = path.split('/').slice(1);
  if (key === undefined || !(key in object)) throw new Error(`replace at a missing path ${path}`);
  return { ...object, [key]: rest.length === 0 ? value : replaceAt(object[key] as Record<string, unknown>, `/${rest.join('/')}`, value) };
};

/**
 * The objects the components give, in order, as `kustomize build` would for a kustomization that
 * lists them: each component's resources, then its JSON 6902 patches on what came before.
 * Anything else a kustomization can say is refused, so the test cannot drift from kustomize.
 */
export const renderComponents = (...components: string[]): Manifest[] =>
  components.reduce<Manifest[]>((objects, component) => {
    const kustomization = kustomizationOf(component);
    const unknown = Object.keys(kustomization).filter((key) => !['apiVersion', 'kind', 'resources', 'patches'].includes(key));
    if (kustomization.kind !== 'Component' || unknown.length > 0) throw new Error(`${component}: not a Component of resources and patches (${unknown.join(', ')})`);
    const added = (kustomization.resources ?? []).flatMap((file) =>
      parseAllDocuments(readFileSync(join(COMPONENTS, component, file), 'utf8')).map((document) => document.toJSON() as Manifest),
    );
    return (kustomization.patches ?? []).reduce(
      (all, { target, patch }) =>
        all.map((object) =>
          object.kind === target.kind && object.metadata.name === target.name && object.apiVersion.split('/')[0] === target.group
            ? (parse(patch) as Array<{ op: string; path: string; value: unknown }>).reduce((patched, op) => {
                if (op.op !== 'replace') throw new Error(`${component}: only replace is rendered here, not ${op.op}`);
                return replaceAt(patched as unknown as Record<string, unknown>, op.path, op.value) as unknown as Manifest;
              }, object)
            : object,
        ),
      [...objects, ...added],
    );
  }, []);

export interface Answer {
  readonly status: number;
  readonly body: { readonly message?: string; readonly metadata?: { readonly resourceVersion?: string } } & Record<string, unknown>;
  /** The text of each `Warning: 299 - "..."` header. */
  readonly warnings: readonly string[];
}

/** The text of a `299 - "text"` warning (RFC 7234 quoting). */
const warningText = (header: string): string => {
  const quoted = /^\d{3} \S+ "((?:[^"\\]|\\.)*)"/.exec(header)?.[1];
  return quoted === undefined ? header : quoted.replace(/\\(.)/g, '$1');
};

const MAX_BODY = 4 << 20;

/** One request as the admin of `kubeConfig`, bounded at 15 s and 4 MiB of answer. */
export const send = async (kubeConfig: KubeConfig, method: 'GET' | 'POST' | 'PUT' | 'PATCH', path: string, body?: unknown, contentType = 'application/json'): Promise<Answer> => {
  const cluster = kubeConfig.getCurrentCluster();
  if (cluster === null) throw new Error('no current cluster');
  const options: import('node:https').RequestOptions = { method, timeout: 15_000, headers: { 'content-type': contentType, accept: 'application/json' } };
  await kubeConfig.applyToHTTPSOptions(options);
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, cluster.server), options, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_BODY) req.destroy(new Error('answer too large'));
        else chunks.push(chunk);
      });
      res.on('end', () => {
        const warnings: string[] = [];
        for (let i = 0; i < res.rawHeaders.length; i += 2) if (res.rawHeaders[i]?.toLowerCase() === 'warning') warnings.push(warningText(res.rawHeaders[i + 1] ?? ''));
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, body: text === '' ? {} : (JSON.parse(text) as Answer['body']), warnings });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
};
