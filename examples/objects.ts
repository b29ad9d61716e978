// The demo's manifests as objects, for the tests of every package that reconciles them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KubeObject } from '@capt-endpoint/core';
import { objectsFromYaml } from '@capt-endpoint/testing';

export const MANIFESTS = join(__dirname, 'manifests');
/** The host the applied Workspace's `cluster_endpoint` URL gives. */
export const EKS_HOST = '0123456789abcdef0123456789abcdef.gr7.us-west-2.eks.amazonaws.com';

export const manifest = (file: string): KubeObject[] => objectsFromYaml(readFileSync(join(MANIFESTS, file), 'utf8'));

/** One CAPT cluster while Terraform is still applying: Cluster, control plane, WorkspaceTemplateApply, Workspace without outputs, Secret. */
export const initialObjects = (): KubeObject[] =>
  ['cluster.yaml', 'controlplane.yaml', 'workspacetemplateapply.yaml', 'workspace.yaml', 'connection-secret.yaml'].flatMap(manifest);
