// deploy/components/endpoint-policy and endpoint-policy-deny as files: opt-in components that
// render (with the small renderer the real-server test uses, which refuses anything it does not
// render as kustomize would) to one policy and one binding, Warn and Audit unless the Deny
// component is listed too. What the policy decides is tested on a real API server
// (endpointPolicy.real.test.ts).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { kustomizationOf, renderComponents } from './admissionPolicy';
import { DEPLOY } from './deployRbac';

const binding = (components: string[]) => renderComponents(...components).find((object) => object.kind === 'ValidatingAdmissionPolicyBinding');

describe('deploy/components/endpoint-policy', () => {
  it('is opt-in: the base kustomization lists neither component', () => {
    const base = parse(readFileSync(join(DEPLOY, 'kustomization.yaml'), 'utf8')) as Record<string, unknown>;
    expect(JSON.stringify(base)).not.toContain('endpoint-policy');
  });

  it('gives one policy and its binding, Warn and Audit as shipped', () => {
    const objects = renderComponents('endpoint-policy');
    expect(objects.map((object) => `${object.apiVersion} ${object.kind}`)).toEqual([
      'admissionregistration.k8s.io/v1 ValidatingAdmissionPolicy',
      'admissionregistration.k8s.io/v1 ValidatingAdmissionPolicyBinding',
    ]);
    expect(binding(['endpoint-policy'])?.spec).toEqual({ policyName: objects[0]?.metadata.name, validationActions: ['Warn', 'Audit'] });
  });

  it('turns to Deny and Audit with endpoint-policy-deny listed after it, and changes nothing else', () => {
    const [policy, deny] = renderComponents('endpoint-policy', 'endpoint-policy-deny');
    const [shipped, warn] = renderComponents('endpoint-policy');
    expect(policy).toEqual(shipped);
    expect(deny).toEqual({ ...warn, spec: { ...warn?.spec, validationActions: ['Deny', 'Audit'] } });
  });

  it('checks CAPTControlPlanes and Clusters at both Cluster API versions, on create and update only, not their status', () => {
    const [policy] = renderComponents('endpoint-policy');
    expect((policy?.spec['matchConstraints'] as { resourceRules: unknown[] }).resourceRules).toEqual([
      { apiGroups: ['controlplane.cluster.x-k8s.io'], apiVersions: ['v1beta1'], resources: ['captcontrolplanes'], operations: ['CREATE', 'UPDATE'] },
      { apiGroups: ['cluster.x-k8s.io'], apiVersions: ['v1beta1', 'v1beta2'], resources: ['clusters'], operations: ['CREATE', 'UPDATE'] },
    ]);
  });

  it('refuses to render what it would render differently from kustomize', () => {
    expect(kustomizationOf('endpoint-policy-deny').kind).toBe('Component');
    // deploy/kubernetes is a Kustomization (namespaces, images, ...), not a Component of resources and patches.
    expect(() => renderComponents(join('..', 'kubernetes'))).toThrow(/not a Component/);
  });
});
