/**
 * What the user typed wrong, as data, and the help text of each command. A usage error is one
 * line on stderr and exit status 64 (EX_USAGE), so scripts can tell it from a reconcile's 1 and 2.
 */

export interface UsageError {
  readonly _tag: 'UsageError';
  readonly message: string;
  /** The command whose help explains the mistake, when there is one. */
  readonly command: CommandName | undefined;
}

export type CommandName = 'explain' | 'reconcile' | 'run' | 'demo';

export const usageError = (message: string, command?: CommandName): UsageError => ({ _tag: 'UsageError', message, command });

const common = `Options shared by explain, reconcile and run:
  --workspace-api-version V   tf.upbound.io/v1beta1 (cluster-scoped, default) or tf.m.upbound.io/v1beta1 (namespaced)
  --output-key KEY            Workspace output (or Secret key) holding the endpoint; repeatable, first match wins;
                              HOST+PORT names two outputs (default cluster_endpoint)
  --default-port N            port for an endpoint that names none (default 443)
  --on-endpoint-change P      keep (default: a set endpoint stays, a new one is drift) or update
  --no-update-cluster         leave the owner Cluster alone
  --allow-secret-namespace NS also read connection Secrets in NS; repeatable; * allows any
  --allow-endpoint-range R    let endpoints in R through the endpoint policy (development clusters): loopback,
                              link-local, unspecified or cloud-metadata; repeatable or comma-separated
  -h, --help                  this help`;

export const HELP: Record<CommandName | 'main', string> = {
  main: `capt-endpoint: keeps a CAPT control plane's endpoint right, from its Terraform Workspace to
CAPTControlPlane.spec.controlPlaneEndpoint and the owner Cluster's.

Usage:
  capt-endpoint explain -f FILE [-f FILE ...] [--control-plane NAMESPACE/NAME] [-o text|json|yaml]
  capt-endpoint reconcile [--kubeconfig PATH] [--context NAME] -n NAMESPACE NAME [--dry-run] [-o text|json|yaml]
  capt-endpoint run [--kubeconfig PATH] [--context NAME] [--namespace NS ...] [--label-selector SEL] [--concurrency N]
                    [--leader-elect=false] [--metrics-bind-address ADDR] [--health-probe-bind-address ADDR]
  capt-endpoint demo [--json]

  explain    offline: what a reconcile would do with these manifests, and why
  reconcile  one reconcile against a live cluster
  run        a small controller: watch, reconcile, retry, until SIGINT or SIGTERM
  demo       the life of an EKS control plane's endpoint, on an in-memory cluster

Exit status: 0 endpoint set or up to date, 2 waiting for the Workspace, 1 an error (drift included),
64 a usage error. Run "capt-endpoint COMMAND --help" for a command's options.`,
  explain: `Usage: capt-endpoint explain -f FILE [-f FILE ...] [--control-plane NAMESPACE/NAME] [-o text|json|yaml]

Loads the manifests into an in-memory cluster, reconciles as a dry run and explains what would be
set and why (which key, outputs or Secret, which checks passed), or exactly why not. Nothing real
is touched. With several control planes in the files and no --control-plane, explains each.

  -f, --file FILE             a YAML file (several documents allowed); repeatable; - reads stdin
  --control-plane NS/NAME     explain only this control plane
  -o, --output FORMAT         text (default), json (one line per control plane) or yaml

${common}`,
  reconcile: `Usage: capt-endpoint reconcile [--kubeconfig PATH] [--context NAME] -n NAMESPACE NAME [--dry-run] [-o text|json|yaml]

One reconcile of the CAPTControlPlane NAMESPACE/NAME against a live cluster.

  --kubeconfig PATH           default $KUBECONFIG, then ~/.kube/config (or the in-cluster account)
  --context NAME              a context of the kubeconfig (default its current context)
  -n, --namespace NAMESPACE   the control plane's namespace
  --dry-run                   read from the cluster but send no write: show the patches instead
  -o, --output FORMAT         text (default), json or yaml

${common}`,
  run: `Usage: capt-endpoint run [--kubeconfig PATH] [--context NAME] [--namespace NS ...] [--label-selector SEL]
                         [--concurrency N] [--no-events] [--leader-elect=false] [--leader-election-namespace NS]
                         [--leader-election-id NAME] [--metrics-bind-address ADDR] [--health-probe-bind-address ADDR]
                         [--secret-cache-namespace NS ...] [--secret-resync-period D]

The controller of @capt-endpoint/controller: watches CAPTControlPlanes and the
WorkspaceTemplateApplies and Workspaces they read, reads connection Secrets with one GET each
(no list or watch of Secrets unless --secret-cache-namespace asks for it), reconciles each
control plane that changed (retrying failures with backoff), and logs one JSON line per event
on stdout. With
leader election (the default) only the replica holding the Lease reconciles and writes; the
others keep their caches warm and take over when it expires. Stops cleanly on SIGINT or
SIGTERM: finishes what is in flight (2 s at most), releases the Lease, exits 0. Exits 1 if
the Lease is lost.

  --kubeconfig PATH           default $KUBECONFIG, then ~/.kube/config (or the in-cluster account)
  --context NAME              a context of the kubeconfig
  -n, --namespace NS          reconcile control planes in NS only; repeatable or comma-separated (a shard)
  -l, --label-selector SEL    reconcile only control planes whose labels match SEL (a shard)
  --concurrency N             reconciles at once (default 2)
  --no-events                 record no Kubernetes Events (default: set, drift, invalid and cleared
                              endpoints are recorded on the control plane, rate-limited)
  --leader-elect=false        no leader election: for exactly one replica
  --leader-election-namespace NS   the Lease's namespace (default the Pod's own, else the kubeconfig
                              context's, else default)
  --leader-election-id NAME   the Lease's name (default capt-endpoint; one per shard)
  --leader-elect-lease-duration D, --leader-elect-renew-deadline D, --leader-elect-retry-period D
                              client-go's timings (default 15s, 10s, 2s)
  --metrics-bind-address ADDR       serve /metrics at ADDR (:8443, 127.0.0.1:8443; default 0: off)
  --metrics-secure=false      serve /metrics over plain HTTP, on 127.0.0.1 unless ADDR names a host
                              (default: HTTPS, each caller checked with a TokenReview and a
                              SubjectAccessReview for get on /metrics)
  --metrics-cert-dir DIR      tls.crt and tls.key for HTTPS (default: self-signed at start)
  --health-probe-bind-address ADDR  serve /healthz and /readyz at ADDR (default 0: off)
  --secret-cache-namespace NS list and watch connection Secrets in NS (opt-in; needs list and
                              watch on Secrets there); repeatable or comma-separated
  --secret-resync-period D    reconcile a control plane that read a Secret again every D (default
                              10m; 0s for never): one GET of the Secret each time

${common}`,
  demo: `Usage: capt-endpoint demo [--json] [--manifests DIR]

Plays the life of an EKS control plane's endpoint on an in-memory cluster seeded from the
example manifests built into the command: waiting for Terraform, the endpoint set, a steady
state with zero writes, a changed endpoint refused as drift, and the Cluster's endpoint cleared
on deletion.

  --json                      one JSON line per step instead of text
  --manifests DIR             seed from DIR/*.yaml instead, with DIR/later/workspace-applied.yaml
                              and DIR/later/workspace-endpoint-changed.yaml as the later Workspaces
  -h, --help                  this help`,
};
