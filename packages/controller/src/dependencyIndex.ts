/**
 * Which control planes depend on which objects: the map from a WorkspaceTemplateApply, Workspace
 * or Secret back to the control planes whose reconcile read it, so a change to any of them wakes
 * the right control plane. It is built from what each reconcile actually read (the recording
 * client's reads), not from a second copy of the reconcile's rules, so it follows the library as
 * it is, including objects that did not exist yet when they were read.
 */
import type { ObjectRef } from '@capt-endpoint/core';
import { groupOf } from '@capt-endpoint/core/adapter';

/**
 * An object's identity: group, kind, namespace and name. Not the version: the API server stores
 * an object once and serves it at every version of its group, so a Cluster a reconcile read at
 * v1beta1 is the one a cache holding v1beta2 reports changed.
 */
export const objectKey = (ref: ObjectRef): string => JSON.stringify([groupOf(ref.apiVersion), ref.kind, ref.namespace ?? '', ref.name]);

/** A control plane's key in the work queue: `namespace/name`. */
export const controlPlaneKey = (namespace: string | undefined, name: string): string => `${namespace ?? ''}/${name}`;

export const parseControlPlaneKey = (key: string): { readonly namespace: string; readonly name: string } => {
  const slash = key.indexOf('/');
  return { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
};

export class DependencyIndex {
  private readonly dependents = new Map<string, Set<string>>();
  private readonly dependencies = new Map<string, Set<string>>();

  /**
   * Records what `controlPlane` read. `replace` (after a complete reconcile) drops what it read
   * before; otherwise (after a failure part way) the reads are added to what is known.
   */
  record(controlPlane: string, reads: readonly ObjectRef[], options: { readonly replace: boolean }): void {
    if (options.replace) this.forget(controlPlane);
    const mine = this.dependencies.get(controlPlane) ?? new Set<string>();
    for (const ref of reads) {
      const key = objectKey(ref);
      mine.add(key);
      const dependents = this.dependents.get(key) ?? new Set<string>();
      dependents.add(controlPlane);
      this.dependents.set(key, dependents);
    }
    this.dependencies.set(controlPlane, mine);
  }

  /** Drops everything `controlPlane` depended on (it is gone). */
  forget(controlPlane: string): void {
    for (const key of this.dependencies.get(controlPlane) ?? []) {
      const dependents = this.dependents.get(key);
      dependents?.delete(controlPlane);
      if (dependents?.size === 0) this.dependents.delete(key);
    }
    this.dependencies.delete(controlPlane);
  }

  /** Whether a reconcile of `controlPlane` has been recorded (and it is not forgotten since). */
  has(controlPlane: string): boolean {
    return this.dependencies.has(controlPlane);
  }

  /** Whether the last reconcile of `controlPlane` read any object of this group and kind. */
  reads(controlPlane: string, group: string, kind: string): boolean {
    const prefix = `${JSON.stringify([group, kind]).slice(0, -1)},`;
    return [...(this.dependencies.get(controlPlane) ?? [])].some((key) => key.startsWith(prefix));
  }

  /** The control planes whose last reconcile read `ref`. */
  controlPlanesFor(ref: ObjectRef): readonly string[] {
    return [...(this.dependents.get(objectKey(ref)) ?? [])];
  }

  /** How many objects are indexed (for logs). */
  get size(): number {
    return this.dependents.size;
  }
}
