// An ESM consumer of the built package: one GET against the server in $KUBECONFIG_YAML.
import { KubeConfig } from '@kubernetes/client-node';
import { createKubernetesClient } from '@capt-endpoint/kubernetes';

const kc = new KubeConfig();
kc.loadFromString(process.env.KUBECONFIG_YAML);
const result = await createKubernetesClient(kc).get(JSON.parse(process.env.REF))();
console.log(JSON.stringify(result._tag === 'Right' ? { name: result.right?.metadata.name } : { error: result.left.kind }));
