import * as E from 'fp-ts/lib/Either.js';
import { locateInSecret, locateInWorkspace } from '../src/locate';
import { Secret, Workspace } from '../src/objects';
import { EKS_HOST, EKS_URL, b64, secret, workspace } from './fixtures';

const ws = (options: Parameters<typeof workspace>[0]) => {
  const decoded = Workspace.decode(workspace(options));
  if (E.isLeft(decoded)) throw new Error('fixture does not decode');
  return decoded.right;
};
const sec = (data: Record<string, string>, name?: string, namespace?: string) => {
  const decoded = Secret.decode(secret(data, name, namespace));
  if (E.isLeft(decoded)) throw new Error('fixture does not decode');
  return decoded.right;
};
const ref = { namespace: 'team-a', name: 'demo-eks-conn' };

describe('locateInWorkspace', () => {
  it.each([false, true])('finds an EKS URL in the outputs (namespaced kind: %s)', (namespaced) => {
    const result = locateInWorkspace(ws({ outputs: { cluster_endpoint: EKS_URL }, namespaced }));
    expect(result).toEqual(
      E.right({
        _tag: 'Found',
        endpoint: { host: EKS_HOST, port: 443 },
        source: { from: 'outputs', workspace: namespaced ? 'Workspace team-a/demo-eks' : 'Workspace demo-eks', key: 'cluster_endpoint' },
      }),
    );
  });

  it('takes the first configured key that is present', () => {
    const result = locateInWorkspace(ws({ outputs: { api: 'https://10.0.0.10:6443', endpoint: 'https://other.example.com' } }), {
      outputKeys: ['cluster_endpoint', 'api', 'endpoint'],
    });
    expect(E.isRight(result) && result.right._tag === 'Found' && result.right.endpoint).toEqual({ host: '10.0.0.10', port: 6443 });
  });

  it('reads an object-valued output', () => {
    const result = locateInWorkspace(ws({ outputs: { cluster_endpoint: { host: 'API.Example.com', port: 6443 } } }));
    expect(E.isRight(result) && result.right._tag === 'Found' && result.right.endpoint).toEqual({ host: 'api.example.com', port: 6443 });
  });

  it('reads a host and port pair of outputs, and the host alone with the default port', () => {
    const pair = locateInWorkspace(ws({ outputs: { api_host: '34.1.2.3', api_port: 8443 } }), {
      outputKeys: [{ host: 'api_host', port: 'api_port' }],
    });
    expect(E.isRight(pair) && pair.right._tag === 'Found' && pair.right).toMatchObject({
      endpoint: { host: '34.1.2.3', port: 8443 },
      source: { key: 'api_host+api_port' },
    });
    const hostOnly = locateInWorkspace(ws({ outputs: { api_host: '34.1.2.3' } }), {
      outputKeys: [{ host: 'api_host', port: 'api_port' }],
      defaultPort: 6443,
    });
    expect(E.isRight(hostOnly) && hostOnly.right._tag === 'Found' && hostOnly.right.endpoint).toEqual({ host: '34.1.2.3', port: 6443 });
  });

  it('treats a null output (Terraform has no value yet) as absent', () => {
    const result = locateInWorkspace(ws({ outputs: { cluster_endpoint: null } }));
    expect(result).toEqual(E.right(expect.objectContaining({ _tag: 'NotYetAvailable', waitingOn: 'EndpointOutput' })));
  });

  it('names the Secret to read: cluster-scoped kind from the reference, namespaced kind from its own namespace', () => {
    expect(locateInWorkspace(ws({ outputs: {}, secretRef: { name: 'conn', namespace: 'crossplane' } }))).toEqual(
      E.right({ _tag: 'NeedSecret', secret: { namespace: 'crossplane', name: 'conn' } }),
    );
    expect(locateInWorkspace(ws({ secretRef: { name: 'conn', namespace: 'elsewhere' }, namespaced: true }))).toEqual(
      E.right({ _tag: 'NeedSecret', secret: { namespace: 'team-a', name: 'conn' } }),
    );
  });

  it.each([false, true])('waits when there are no outputs and no Secret reference (namespaced kind: %s)', (namespaced) => {
    const result = locateInWorkspace(ws({ namespaced }));
    expect(result).toEqual(E.right(expect.objectContaining({ _tag: 'NotYetAvailable', waitingOn: 'EndpointOutput' })));
  });

  it('says so when the Workspace publishes its connection details to a secret store instead of a Secret', () => {
    const published = (publishConnectionDetailsTo: unknown, secretRef?: { name: string; namespace: string }) =>
      locateInWorkspace(ws({ outputs: {}, ...(secretRef ? { secretRef } : {}), spec: { publishConnectionDetailsTo } }));
    const inVault = published({ name: 'demo-conn', configRef: { name: 'vault' } });
    expect(inVault).toEqual(E.right(expect.objectContaining({ _tag: 'NotYetAvailable', waitingOn: 'EndpointOutput' })));
    const message = E.isRight(inVault) && inVault.right._tag === 'NotYetAvailable' ? inVault.right.message : '';
    expect(message).toContain('Workspace demo-eks has no output "cluster_endpoint" yet');
    expect(message).toContain('publishes its connection details to "demo-conn" in the secret store "vault" (spec.publishConnectionDetailsTo), which capt-endpoint does not read');
    expect(message).toContain('set spec.writeConnectionSecretToRef');
    expect(message).toContain('publish the endpoint as a Terraform output');
    // The store's default StoreConfig is named "default".
    const byDefault = published({ name: 'demo-conn' });
    expect(E.isRight(byDefault) && byDefault.right._tag === 'NotYetAvailable' && byDefault.right.message).toContain('"demo-conn" in the secret store "default"');
    // A Secret named beside it is read as before.
    expect(published({ name: 'demo-conn' }, { name: 'conn', namespace: 'crossplane' })).toEqual(E.right({ _tag: 'NeedSecret', secret: { namespace: 'crossplane', name: 'conn' } }));
    // A field of an unexpected shape neither fails the Workspace nor claims a store.
    for (const odd of ['demo-conn', { configRef: { name: 'vault' } }, null]) {
      const result = published(odd);
      expect(E.isRight(result) && result.right._tag === 'NotYetAvailable' && result.right.message).toContain('no connection Secret to read it from');
    }
  });

  it('waits when a cluster-scoped Workspace names a Secret without a namespace', () => {
    const result = locateInWorkspace(ws({ secretRef: { name: 'conn' } }));
    expect(result).toEqual(E.right(expect.objectContaining({ _tag: 'NotYetAvailable' })));
  });

  it.each([false, true])('is invalid when the value is there but bad, and quotes a value from the outputs (namespaced kind: %s)', (namespaced) => {
    const result = locateInWorkspace(ws({ outputs: { cluster_endpoint: 'http://plain.example.com' }, namespaced }));
    expect(E.isLeft(result) && result.left).toMatchObject({
      _tag: 'InvalidEndpointValue',
      cause: 'UnsupportedScheme',
      source: { from: 'outputs', key: 'cluster_endpoint' },
      retryable: false,
    });
    expect(E.isLeft(result) && result.left.message).toContain('http://plain.example.com');
  });

  it.each([false, true])('reports a malformed object (namespaced kind: %s)', (namespaced) => {
    const result = locateInWorkspace(ws({ outputs: { cluster_endpoint: { address: 'x' } }, namespaced }));
    expect(E.isLeft(result) && result.left).toMatchObject({ _tag: 'InvalidEndpointValue', cause: 'MalformedEndpointObject' });
  });

  it('prefers the outputs even when a Secret is referenced', () => {
    const result = locateInWorkspace(ws({ outputs: { cluster_endpoint: EKS_URL }, secretRef: { name: 'conn', namespace: 'team-a' } }));
    expect(E.isRight(result) && result.right._tag).toBe('Found');
  });
});

describe('locateInSecret', () => {
  it('decodes a string output exactly once and trims its newline', () => {
    const result = locateInSecret(sec({ cluster_endpoint: `${EKS_URL}\n` }), ref);
    expect(result).toEqual(
      E.right({ _tag: 'Found', endpoint: { host: EKS_HOST, port: 443 }, source: { from: 'secret', secret: ref, key: 'cluster_endpoint' } }),
    );
  });

  it('does not decode twice (the Go controller did): a base64 text stays text', () => {
    // The value is itself base64 of a URL: decoding twice would "find" the URL.
    const result = locateInSecret(sec({ cluster_endpoint: b64('https://api.example.com') }), ref);
    expect(E.isLeft(result)).toBe(true);
  });

  it('reads a JSON object value as the object form', () => {
    const result = locateInSecret(sec({ cluster_endpoint: '{"host":"10.0.0.10","port":6443}' }), ref);
    expect(E.isRight(result) && result.right._tag === 'Found' && result.right.endpoint).toEqual({ host: '10.0.0.10', port: 6443 });
  });

  it('reads a host and port pair (a number output is stored as JSON text)', () => {
    const result = locateInSecret(sec({ api_host: 'api.example.com', api_port: '6443' }), ref, {
      outputKeys: [{ host: 'api_host', port: 'api_port' }],
    });
    expect(E.isRight(result) && result.right._tag === 'Found' && result.right.endpoint).toEqual({ host: 'api.example.com', port: 6443 });
  });

  it('waits for a Secret that does not exist yet, or lacks the key', () => {
    expect(locateInSecret(undefined, ref)).toEqual(E.right(expect.objectContaining({ _tag: 'NotYetAvailable', waitingOn: 'ConnectionSecret' })));
    expect(locateInSecret(sec({ kubeconfig: 'x' }), ref)).toEqual(E.right(expect.objectContaining({ _tag: 'NotYetAvailable', waitingOn: 'EndpointOutput' })));
  });

  it('names the Secret and key but never the value of an invalid entry', () => {
    const token = 'tok-9f8e7d6c5b4a';
    const values = [`https://user:${token}@api.example.com`, `ftp://${token}.example.com`, `api.example.com/${token}`, `${token} x`, `{"host": "${token}!"}`];
    for (const value of values) {
      const result = locateInSecret(sec({ cluster_endpoint: value }), ref);
      expect(E.isLeft(result)).toBe(true);
      if (E.isLeft(result)) {
        expect(result.left.message).toContain('team-a/demo-eks-conn');
        expect(result.left.message).toContain('cluster_endpoint');
        expect(JSON.stringify(result.left)).not.toContain(token);
      }
    }
  });

  it('reports a value that is not base64 or not UTF-8 without quoting it', () => {
    const notBase64 = locateInSecret({ ...sec({}), data: { cluster_endpoint: '!!!not-base64' } }, ref);
    expect(E.isLeft(notBase64) && notBase64.left).toMatchObject({ _tag: 'UndecodableSecretValue', key: 'cluster_endpoint' });
    const notUtf8 = locateInSecret({ ...sec({}), data: { cluster_endpoint: btoa('\xff\xfe') } }, ref);
    expect(E.isLeft(notUtf8) && notUtf8.left).toMatchObject({ _tag: 'UndecodableSecretValue' });
    expect(JSON.stringify(notBase64)).not.toContain('!!!not-base64');
  });
});
