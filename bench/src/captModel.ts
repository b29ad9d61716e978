/**
 * CAPT as it is: the requests the CAPT controller at appthrust/capt HEAD makes on every ready
 * reconcile, read from its source (internal/controller/controlplane), not run here. It requeues
 * a ready control plane every 30 seconds (defaultRequeueInterval) and, on each pass, updates the
 * WorkspaceTemplateApply, reads the Workspace as unstructured objects (which controller-runtime
 * does not cache), updates the control plane, patches the Cluster, patches the status of both,
 * and updates the kubeconfig WorkspaceTemplateApply and the kubeconfig Secret.
 */

/** Per ready reconcile. */
export const CAPT_AS_IT_IS = { requests: 12, writes: 8, reads: 4, everySeconds: 30, commit: 'c0e3e81' } as const;

/** Reconciles one control plane gets in an hour when it is requeued every `everySeconds`. */
export const reconcilesPerHour = (everySeconds: number): number => 3600 / everySeconds;

/** Requests and writes in an hour of steady state for `controlPlanes`, at `perReconcile` each, every `everySeconds`. */
export const perHour = (controlPlanes: number, perReconcile: { readonly requests: number; readonly writes: number }, everySeconds: number) => ({
  requests: controlPlanes * reconcilesPerHour(everySeconds) * perReconcile.requests,
  writes: controlPlanes * reconcilesPerHour(everySeconds) * perReconcile.writes,
});
