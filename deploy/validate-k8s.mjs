// Validates every object in deploy/k8s/*.yaml against the Kubernetes API schemas (kubernetes-models).
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

const dir = fileURLToPath(new URL('./k8s/', import.meta.url));
const groupDir = (apiVersion) => (apiVersion.includes('/') ? apiVersion : apiVersion === 'v1' ? 'v1' : apiVersion);
let checked = 0;
let failed = 0;
for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort()) {
  for (const doc of parseAllDocuments(readFileSync(dir + file, 'utf8'))) {
    if (doc.errors.length) {
      console.error(`${file}: YAML error: ${doc.errors[0].message}`);
      failed++;
      continue;
    }
    const object = doc.toJS();
    if (!object) continue;
    const where = `${file}: ${object.kind}/${object.metadata?.name}`;
    let Model;
    try {
      ({ [object.kind]: Model } = await import(`kubernetes-models/${groupDir(object.apiVersion)}/${object.kind}`));
    } catch {
      console.error(`${where}: unknown apiVersion/kind ${object.apiVersion} ${object.kind}`);
      failed++;
      continue;
    }
    try {
      new Model(object).validate();
      checked++;
    } catch (error) {
      console.error(`${where}: ${error.message}`);
      failed++;
    }
  }
}
console.log(`deploy: ${checked} Kubernetes objects valid${failed ? `, ${failed} invalid` : ''}`);
process.exit(failed ? 1 : 0);
