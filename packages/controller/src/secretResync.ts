/**
 * How often a control plane whose reconcile read a Secret is reconciled again: Secrets are read
 * with a GET, not watched (least privilege). A module of its own so that the command's flag
 * parsing can name the default without loading the controller and its Kubernetes client.
 */

/** The default Secret resync: ten minutes. */
export const DEFAULT_SECRET_RESYNC_MS = 600_000;
