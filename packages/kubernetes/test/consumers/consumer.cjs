// A CommonJS consumer of the built package: one GET against the server in $KUBECONFIG_YAML.
const { KubeConfig } = require('@kubernetes/client-node');
const { createKubernetesClient } = require('@capt-endpoint/kubernetes');

const kc = new KubeConfig();
kc.loadFromString(process.env.KUBECONFIG_YAML);
createKubernetesClient(kc)
  .get(JSON.parse(process.env.REF))()
  .then((result) => {
    console.log(JSON.stringify(result._tag === 'Right' ? { name: result.right?.metadata.name } : { error: result.left.kind }));
  });
