// Checks the Kubernetes manifests without a cluster. deploy/k8s/ is what `kubectl apply -f deploy/k8s/`
// applies; deploy/k8s-examples/ holds files people copy and fill in (the Secret). Every object is
// validated against the API schemas (kubernetes-models), then the applied set is checked for what
// the schemas cannot say: probes, securityContext, resources, writable paths, a PodDisruptionBudget
// per workload, the NetworkPolicies, and no Secret. Each failure names the file, the object and the
// missing property. Usage: node deploy/validate-k8s.mjs
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

const here = fileURLToPath(new URL('.', import.meta.url));
const APPLIED = 'k8s';
const EXAMPLES = 'k8s-examples';

const LIVENESS_PATH = '/livez';
const READINESS_PATH = '/health';
const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet']);
const PART_OF = 'app.kubernetes.io/part-of';
const NAME = 'app.kubernetes.io/name';
const PLATFORM = 'pytest-platform';
const TOKEN_KEYS = ['API_TOKEN', 'API_READ_TOKEN'];
const TOKEN_MIN = 16;

/** The variables that make each service listen where the kubelet can probe it (the pod's IP). */
const LISTENERS = {
  'services/api/dist/main.js': { host: 'API_HOST', port: 'API_PORT' },
  'services/mcp/dist/main.js': { host: 'MCP_HOST', port: 'MCP_PORT' },
  'services/ingest/dist/main.js': { host: 'INGEST_HEALTH_HOST', port: 'INGEST_HEALTH_PORT' },
};

/** What each service's pods must be able to open, by their `app.kubernetes.io/name`. */
const DNS = { name: 'DNS', protocol: 'UDP', port: 53 };
const REDIS = { name: 'Redis', protocol: 'TCP', port: 6379 };
const POSTGRES = { name: 'Postgres', protocol: 'TCP', port: 5432 };
const API = { name: 'the API pods', protocol: 'TCP', port: 8080, pods: { [NAME]: 'api', [PART_OF]: PLATFORM } };
const EGRESS_NEEDS = { api: [DNS, REDIS, POSTGRES], ingest: [DNS, REDIS, POSTGRES], mcp: [DNS, REDIS, API] };

/** In-cluster Redis and Postgres pods carry these labels; only the listed services may reach them. */
const DEPENDENCIES = [
  { name: 'redis', port: 6379, clients: ['api', 'ingest', 'mcp'] },
  { name: 'postgres', port: 5432, clients: ['api', 'ingest'] },
];

const failures = [];
const fail = (where, message) => failures.push(`${where}: ${message}`);

function loadDir(name) {
  const dir = join(here, name);
  if (!existsSync(dir)) return [];
  const objects = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml') || f.endsWith('.yml')).sort()) {
    const text = readFileSync(join(dir, file), 'utf8');
    for (const doc of parseAllDocuments(text)) {
      const path = `deploy/${name}/${file}`;
      if (doc.errors.length) {
        fail(path, `YAML error: ${doc.errors[0].message}`);
        continue;
      }
      const object = doc.toJS();
      if (object) objects.push({ path, text, object, where: `${path}: ${object.kind}/${object.metadata?.name}` });
    }
  }
  return objects;
}

async function validateSchema({ object, where }) {
  let Model;
  try {
    ({ [object.kind]: Model } = await import(`kubernetes-models/${object.apiVersion}/${object.kind}`));
  } catch {
    fail(where, `unknown apiVersion/kind ${object.apiVersion} ${object.kind}`);
    return false;
  }
  try {
    new Model(object).validate();
    return true;
  } catch (error) {
    fail(where, error.message);
    return false;
  }
}

/** Whether a label selector (matchLabels and matchExpressions) selects pods with `labels`. */
function selects(selector, labels) {
  if (!selector) return false;
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) if (labels[key] !== value) return false;
  for (const { key, operator, values = [] } of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, key);
    if (operator === 'In' && !(has && values.includes(labels[key]))) return false;
    if (operator === 'NotIn' && has && values.includes(labels[key])) return false;
    if (operator === 'Exists' && !has) return false;
    if (operator === 'DoesNotExist' && has) return false;
  }
  return true;
}

const UNITS = { n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };

/** A Kubernetes quantity ("500m", "1", "128Mi", "1e3") as a number; NaN when it is not one. */
function quantity(value) {
  if (typeof value === 'number') return value;
  const match = /^([+-]?[0-9.]+(?:[eE][+-]?[0-9]+)?)(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]?)$/.exec(String(value));
  return match ? Number(match[1]) * UNITS[match[2]] : NaN;
}

function checkContainer(where, container, pod, { probed }) {
  const at = `${where}: container ${container.name}`;
  const sc = container.securityContext ?? {};
  const podSc = pod.securityContext ?? {};
  if ((sc.runAsNonRoot ?? podSc.runAsNonRoot) !== true) fail(at, 'securityContext.runAsNonRoot must be true');
  if ((sc.runAsUser ?? podSc.runAsUser) === 0) fail(at, 'securityContext.runAsUser must not be 0 (root)');
  if (sc.allowPrivilegeEscalation !== false) fail(at, 'securityContext.allowPrivilegeEscalation must be false');
  if (sc.privileged === true) fail(at, 'securityContext.privileged must not be true');
  if (sc.readOnlyRootFilesystem !== true) fail(at, 'securityContext.readOnlyRootFilesystem must be true');
  if (!(sc.capabilities?.drop ?? []).includes('ALL')) fail(at, 'securityContext.capabilities.drop must include ALL');
  if ((sc.capabilities?.add ?? []).length > 0) fail(at, `securityContext.capabilities.add must be empty (has ${sc.capabilities.add.join(', ')})`);
  if ((sc.seccompProfile ?? podSc.seccompProfile)?.type !== 'RuntimeDefault') fail(at, 'securityContext.seccompProfile.type must be RuntimeDefault');

  for (const kind of ['requests', 'limits']) {
    for (const resource of ['cpu', 'memory']) {
      const value = container.resources?.[kind]?.[resource];
      if (value === undefined) fail(at, `resources.${kind}.${resource} is missing`);
      else if (Number.isNaN(quantity(value))) fail(at, `resources.${kind}.${resource} ${JSON.stringify(value)} is not a quantity`);
    }
  }
  for (const resource of ['cpu', 'memory']) {
    const request = quantity(container.resources?.requests?.[resource]);
    const limit = quantity(container.resources?.limits?.[resource]);
    if (request > limit) fail(at, `resources.requests.${resource} is above resources.limits.${resource}`);
  }

  const volumes = new Map((pod.volumes ?? []).map((volume) => [volume.name, volume]));
  const mounts = container.volumeMounts ?? [];
  for (const mount of mounts) if (!volumes.has(mount.name)) fail(at, `volumeMounts ${mount.mountPath} uses volume ${mount.name}, which the pod does not declare`);
  const tmp = mounts.find((mount) => mount.mountPath === '/tmp');
  if (!tmp || !volumes.get(tmp.name)?.emptyDir) fail(at, 'volumeMounts needs an emptyDir at /tmp (the root filesystem is read-only)');
  for (const mount of mounts) {
    const volume = volumes.get(mount.name);
    if (volume && !mount.readOnly && !volume.emptyDir && !volume.persistentVolumeClaim && !volume.ephemeral) {
      fail(at, `volumeMounts ${mount.mountPath} is writable but not an emptyDir or a volume claim`);
    }
  }

  if (!probed) return;
  const ports = container.ports ?? [];
  const probePort = (probe) => {
    const port = probe.httpGet.port;
    const found = ports.find((p) => p.name === port || p.containerPort === port);
    if (!found) fail(at, `probe port ${JSON.stringify(port)} is not one of the container's ports`);
    return found?.containerPort;
  };
  const probes = [
    ['livenessProbe', LIVENESS_PATH, true],
    ['readinessProbe', READINESS_PATH, true],
    ['startupProbe', LIVENESS_PATH, false],
  ];
  const probedPorts = new Set();
  for (const [field, path, required] of probes) {
    const probe = container[field];
    if (!probe) {
      if (required) fail(at, `${field} is missing (httpGet ${path})`);
      continue;
    }
    if (probe.httpGet?.path !== path) {
      fail(at, `${field}.httpGet.path must be ${path}, not ${JSON.stringify(probe.httpGet?.path ?? null)}${field === 'readinessProbe' ? '' : ` (${LIVENESS_PATH} checks the process only; ${READINESS_PATH} fails while Redis is down)`}`);
      continue;
    }
    probedPorts.add(probePort(probe));
  }

  const script = (container.command ?? []).concat(container.args ?? []).find((arg) => Object.hasOwn(LISTENERS, arg));
  if (script) {
    const env = Object.fromEntries((container.env ?? []).filter((e) => e.value !== undefined).map((e) => [e.name, String(e.value)]));
    const { host, port } = LISTENERS[script];
    if (env[host] !== '0.0.0.0' && env[host] !== '::') fail(at, `env ${host} must be 0.0.0.0: the kubelet probes the pod's IP, and the default is 127.0.0.1`);
    const bound = Number(env[port]);
    if (!env[port]) fail(at, `env ${port} is missing: the probes need the port to be served`);
    else for (const probed of probedPorts) if (probed !== undefined && probed !== bound) fail(at, `probes use port ${probed} but ${port} is ${env[port]}`);
  }
}

function checkWorkload({ object, where }) {
  const pod = object.spec?.template?.spec ?? {};
  if (pod.automountServiceAccountToken !== false) fail(where, 'spec.template.spec.automountServiceAccountToken must be false (no service calls the Kubernetes API)');
  for (const field of ['hostNetwork', 'hostPID', 'hostIPC']) if (pod[field] === true) fail(where, `spec.template.spec.${field} must not be true`);
  for (const container of pod.initContainers ?? []) checkContainer(where, container, pod, { probed: false });
  for (const container of pod.containers ?? []) checkContainer(where, container, pod, { probed: true });
}

function minReplicas(workload, objects) {
  const hpa = objects.find(({ object }) => object.kind === 'HorizontalPodAutoscaler' && object.spec?.scaleTargetRef?.kind === workload.kind && object.spec?.scaleTargetRef?.name === workload.metadata.name);
  return hpa?.object.spec.minReplicas ?? workload.spec?.replicas ?? 1;
}

function percent(value) {
  return typeof value === 'string' && value.endsWith('%') ? Number(value.slice(0, -1)) : null;
}

function checkDisruptionBudgets(workloads, objects) {
  const budgets = objects.filter(({ object }) => object.kind === 'PodDisruptionBudget');
  for (const workload of workloads) {
    if (workload.object.kind === 'DaemonSet') continue;
    const labels = workload.object.spec?.template?.metadata?.labels ?? {};
    const matching = budgets.filter(({ object }) => selects(object.spec?.selector, labels));
    if (matching.length === 0) {
      fail(workload.where, 'no PodDisruptionBudget selects its pods');
      continue;
    }
    if (matching.length > 1) fail(workload.where, `${matching.length} PodDisruptionBudgets select its pods (${matching.map((b) => b.object.metadata.name).join(', ')}); evictions fail with more than one`);
    const replicas = minReplicas(workload.object, objects);
    for (const budget of matching) {
      const { minAvailable, maxUnavailable } = budget.object.spec ?? {};
      const blocks =
        (maxUnavailable !== undefined && (maxUnavailable === 0 || percent(maxUnavailable) === 0)) ||
        (minAvailable !== undefined && (percent(minAvailable) === null ? Number(minAvailable) >= replicas : percent(minAvailable) >= 100));
      if (minAvailable === undefined && maxUnavailable === undefined) fail(budget.where, 'spec needs minAvailable or maxUnavailable');
      else if (blocks) fail(budget.where, `allows no disruption of ${workload.object.kind}/${workload.object.metadata.name} (${replicas} replicas): node drains would hang`);
    }
  }
  for (const budget of budgets) {
    const covered = workloads.filter((w) => selects(budget.object.spec?.selector, w.object.spec?.template?.metadata?.labels ?? {}));
    if (covered.length === 0) fail(budget.where, 'selects the pods of no workload in this directory');
    if (covered.length > 1) fail(budget.where, `selects the pods of ${covered.length} workloads; one budget per service`);
  }
}

/** Whether one egress rule lets pods open `need` (a protocol and port, optionally only to certain pods). */
function ruleAllows(rule, need) {
  const portOk = (rule.ports ?? []).some((p) => (p.protocol ?? 'TCP') === need.protocol && (p.port === need.port || (typeof p.port === 'number' && p.endPort !== undefined && p.port <= need.port && need.port <= p.endPort)));
  if (!portOk) return false;
  if (!rule.to || rule.to.length === 0) return true;
  return need.pods !== undefined && rule.to.some((peer) => peer.podSelector && !peer.namespaceSelector && !peer.ipBlock && selects(peer.podSelector, need.pods));
}

const policyTypes = (policy) => policy.spec?.policyTypes ?? (policy.spec?.egress ? ['Ingress', 'Egress'] : ['Ingress']);

function checkNetworkPolicies(workloads, objects) {
  const policies = objects.filter(({ object }) => object.kind === 'NetworkPolicy');
  for (const policy of policies) {
    if (!Array.isArray(policy.object.spec?.policyTypes) || policy.object.spec.policyTypes.length === 0) fail(policy.where, 'spec.policyTypes must be listed (Ingress, Egress)');
  }

  for (const workload of workloads) {
    const labels = workload.object.spec?.template?.metadata?.labels ?? {};
    const egress = policies.filter(({ object }) => policyTypes(object).includes('Egress') && selects(object.spec?.podSelector, labels));
    if (egress.length === 0) {
      fail(workload.where, 'no NetworkPolicy restricts the egress of its pods');
      continue;
    }
    const rules = egress.flatMap(({ object }) => object.spec?.egress ?? []);
    for (const { object, where } of egress) {
      for (const [index, rule] of (object.spec?.egress ?? []).entries()) {
        if (!rule.ports || rule.ports.length === 0) fail(where, `spec.egress[${index}] lists no ports, so it allows every port to ${rule.to?.length ? 'its peers' : 'everywhere'}`);
      }
    }
    for (const need of EGRESS_NEEDS[labels[NAME]] ?? [DNS]) {
      if (!rules.some((rule) => ruleAllows(rule, need))) fail(workload.where, `the NetworkPolicies selecting its pods do not let them reach ${need.name} (${need.protocol} ${need.port})`);
    }
  }

  for (const dependency of DEPENDENCIES) {
    const labels = { [NAME]: dependency.name, [PART_OF]: PLATFORM };
    const ingress = policies.filter(({ object }) => policyTypes(object).includes('Ingress') && selects(object.spec?.podSelector, labels));
    if (ingress.length === 0) {
      fail(`deploy/${APPLIED}`, `no NetworkPolicy restricts ingress to ${dependency.name} pods (labels ${NAME}: ${dependency.name}, ${PART_OF}: ${PLATFORM})`);
      continue;
    }
    const admitted = [];
    for (const { object, where } of ingress) {
      for (const [index, rule] of (object.spec?.ingress ?? []).entries()) {
        const at = `spec.ingress[${index}]`;
        if (!rule.from || rule.from.length === 0) fail(where, `${at} has no "from", so it admits every pod and address`);
        if (!rule.ports || rule.ports.length === 0) fail(where, `${at} lists no ports`);
        else if (rule.ports.some((p) => p.port !== dependency.port)) fail(where, `${at} opens ports other than ${dependency.port}`);
        for (const peer of rule.from ?? []) {
          if (peer.ipBlock) fail(where, `${at} admits an ipBlock (${peer.ipBlock.cidr}); only ${PLATFORM} pods may reach ${dependency.name}`);
          else if (peer.namespaceSelector) fail(where, `${at} admits pods of other namespaces; only ${PLATFORM} pods may reach ${dependency.name}`);
          else if (peer.podSelector?.matchLabels?.[PART_OF] !== PLATFORM) fail(where, `${at} admits pods without ${PART_OF}: ${PLATFORM}`);
          else admitted.push(peer.podSelector);
        }
      }
    }
    for (const client of dependency.clients) {
      if (!admitted.some((selector) => selects(selector, { [NAME]: client, [PART_OF]: PLATFORM }))) {
        fail(`deploy/${APPLIED}`, `the NetworkPolicy for ${dependency.name} does not admit the ${client} pods`);
      }
    }
  }
}

function secretValue(secret, key) {
  if (secret.stringData?.[key] !== undefined) return String(secret.stringData[key]);
  if (secret.data?.[key] !== undefined) return Buffer.from(String(secret.data[key]), 'base64').toString('utf8');
  return undefined;
}

function checkSecrets(applied, examples, workloads) {
  for (const { object, where } of applied) {
    if (object.kind === 'Secret') {
      fail(where, `a Secret in deploy/${APPLIED}/ is applied over the one created with kubectl create secret; ship it as an example in deploy/${EXAMPLES}/`);
    }
  }
  const exampleSecrets = examples.filter(({ object }) => object.kind === 'Secret');
  const configMaps = new Set(applied.filter(({ object }) => object.kind === 'ConfigMap').map(({ object }) => object.metadata.name));
  const appliedText = [...new Set(applied.map(({ text }) => text))].join('\n');
  const referenced = new Set();
  for (const { object, where } of workloads) {
    for (const container of object.spec?.template?.spec?.containers ?? []) {
      for (const source of container.envFrom ?? []) {
        if (source.configMapRef && !configMaps.has(source.configMapRef.name)) fail(where, `reads ConfigMap ${source.configMapRef.name}, which deploy/${APPLIED}/ does not hold`);
        if (source.secretRef) referenced.add(source.secretRef.name);
      }
    }
  }
  for (const name of referenced) {
    const example = exampleSecrets.find(({ object }) => object.metadata?.name === name);
    if (!example) {
      fail(`deploy/${EXAMPLES}`, `no example of Secret ${name}, which the workloads read`);
      continue;
    }
    for (const key of [...Object.keys(example.object.stringData ?? {}), ...Object.keys(example.object.data ?? {})]) {
      if (!appliedText.includes(`--from-literal=${key}=`)) fail(example.where, `${key} is not in the kubectl create secret command in deploy/${APPLIED}/ (config.yaml)`);
    }
  }
  for (const { object, where } of exampleSecrets) {
    for (const key of TOKEN_KEYS) {
      const value = secretValue(object, key);
      if (value !== undefined && value.trim().length < TOKEN_MIN) fail(where, `${key} must have at least ${TOKEN_MIN} characters, as every service requires`);
    }
  }
}

const applied = loadDir(APPLIED);
const examples = loadDir(EXAMPLES);
if (applied.length === 0) fail(`deploy/${APPLIED}`, 'no manifests found');
let valid = 0;
for (const entry of [...applied, ...examples]) if (await validateSchema(entry)) valid++;

const workloads = applied.filter(({ object }) => WORKLOAD_KINDS.has(object.kind));
for (const workload of workloads) checkWorkload(workload);
checkDisruptionBudgets(workloads, applied);
checkNetworkPolicies(workloads, applied);
checkSecrets(applied, examples, workloads);

for (const failure of failures) console.error(failure);
console.log(
  `deploy: ${valid} Kubernetes objects match the API schemas; ${workloads.length} workloads checked for probes, securityContext, resources, ` +
    `writable paths, disruption budgets and network policies${failures.length ? `; ${failures.length} problems` : ', all hold'}`,
);
process.exit(failures.length ? 1 : 0);
