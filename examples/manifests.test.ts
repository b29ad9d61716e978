// Every manifest under examples/ is one a real cluster accepts: seeded into the fake with the five
// kinds' schemas, none is refused, and the objects carry the names CAPT gives them.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { KubeObject } from '@capt-endpoint/core';
import { captEndpointCrds, objectsFromYaml, ObjectStore } from '@capt-endpoint/testing';

const yamlFilesUnder = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return yamlFilesUnder(path);
    return /\.ya?ml$/.test(name) ? [path] : [];
  });

const files = yamlFilesUnder(__dirname);

/** Whether `actual` holds every field of `given` with its value (defaults may add more). */
const holdsAll = (actual: unknown, given: unknown): boolean =>
  typeof given === 'object' && given !== null && !Array.isArray(given)
    ? typeof actual === 'object' && actual !== null && Object.entries(given).every(([key, value]) => holdsAll((actual as Record<string, unknown>)[key], value))
    : JSON.stringify(actual) === JSON.stringify(given);
const objectsOf = (file: string): KubeObject[] => objectsFromYaml(readFileSync(file, 'utf8'));
const all = files.flatMap(objectsOf);
const named = (kind: string): KubeObject[] => all.filter((o) => o.kind === kind);

describe('the example manifests', () => {
  it('are found', () => {
    expect(files.map((f) => relative(__dirname, f)).sort()).toEqual(
      expect.arrayContaining(['manifests/controlplane.yaml', 'manifests/workspace.yaml', 'manifests/later/workspace-applied.yaml']),
    );
  });

  it.each(files.map((file) => [relative(__dirname, file), file]))('%s passes the schemas', (_name, file) => {
    const store = new ObjectStore([], { crds: captEndpointCrds });
    for (const object of objectsOf(file)) {
      // add throws, naming the object and the field, when the schema rejects it; and nothing is pruned.
      const stored = store.add(object);
      const { metadata: _given, ...fields } = object;
      expect([object.kind, holdsAll(stored, fields)]).toEqual([object.kind, true]);
    }
  });

  it('the schemas are really in force: the control plane without its required workspaceTemplateRef is refused', () => {
    const [controlPlane] = named('CAPTControlPlane');
    const broken = structuredClone(controlPlane) as KubeObject & { spec: Record<string, unknown> };
    delete broken.spec['workspaceTemplateRef'];
    expect(() => new ObjectStore([broken], { crds: captEndpointCrds })).toThrow('spec.workspaceTemplateRef: Required value');
  });

  it("use CAPT's names, derived from the control plane's", () => {
    const [controlPlane] = named('CAPTControlPlane');
    const cp = controlPlane?.metadata.name;
    expect(cp).toBe('demo');
    expect((controlPlane?.['spec'] as { workspaceTemplateApplyName: string }).workspaceTemplateApplyName).toBe(`${cp}-eks-controlplane-apply`);
    expect(named('WorkspaceTemplateApply').map((o) => [o.metadata.name, (o['status'] as { workspaceName: string }).workspaceName])).toEqual([
      [`${cp}-eks-controlplane-apply`, `${cp}-eks-controlplane`],
    ]);
    for (const workspace of named('Workspace')) {
      expect(workspace.metadata.name).toBe(`${cp}-eks-controlplane`);
      expect((workspace['spec'] as { writeConnectionSecretToRef: unknown }).writeConnectionSecretToRef).toEqual({ name: `${cp}-eks-connection`, namespace: 'team-a' });
    }
    expect(named('Secret').map((o) => o.metadata.name)).toEqual([`${cp}-eks-connection`]);
    // CAPT finds the Cluster by the control plane's name, and so names it.
    expect(named('Cluster').map((o) => o.metadata.name)).toEqual([cp]);
  });
});
