// The core's public API as text, one item a line, from rustdoc's JSON (nightly): every public
// module, function (with its parameter names), struct (with its public fields), enum (with its
// variants and whether it is #[non_exhaustive]), trait, constant, static and type alias, and the
// inherent methods of public types. `scripts/public-api.sh` compares it with the committed
// snapshot (crates/payrules/public-api.txt), so a change to the API is a visible, reviewed diff;
// what it does not see is a parameter's or field's type (cargo semver-checks would, once we publish).
// Run: node tests/api/public-api.mjs path/to/payrules.json
import { readFileSync } from 'node:fs';

const doc = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const index = doc.index;
const lines = new Set();
const attrs = (item) => JSON.stringify(item.attrs ?? []);
const kindOf = (item) => Object.keys(item.inner ?? {})[0];
const isPublic = (item) => item && (item.visibility === 'public' || item.visibility === 'default');

function methods(type, path) {
  for (const implId of type.impls ?? []) {
    const impl = index[implId]?.inner?.impl;
    if (!impl || impl.trait || impl.is_synthetic || impl.blanket_impl) continue;
    for (const id of impl.items) {
      const m = index[id];
      if (!isPublic(m)) continue;
      const k = kindOf(m);
      if (k === 'function') lines.add(`fn ${path}::${m.name}(${m.inner.function.sig.inputs.map((i) => i[0]).join(', ')})`);
      else if (k === 'assoc_const') lines.add(`const ${path}::${m.name}`);
    }
  }
}

function visit(id, path, seen) {
  const item = index[id];
  if (!item || seen.has(`${id}@${path}`)) return;
  seen.add(`${id}@${path}`);
  const kind = kindOf(item);
  const inner = item.inner[kind];
  switch (kind) {
    case 'module':
      lines.add(`mod ${path}`);
      for (const child of inner.items) {
        const c = index[child];
        if (!isPublic(c)) continue;
        if (kindOf(c) === 'use') {
          const u = c.inner.use;
          if (u.id == null || !index[u.id]) { lines.add(`use ${path}::${u.name} = ${u.source}`); continue; }
          if (u.is_glob) {
            const target = index[u.id];
            for (const g of target.inner.module?.items ?? []) if (isPublic(index[g])) visit(g, `${path}::${index[g].name}`, seen);
          } else visit(u.id, `${path}::${u.name}`, seen);
        } else if (c.name) visit(child, `${path}::${c.name}`, seen);
      }
      break;
    case 'function':
      lines.add(`fn ${path}(${inner.sig.inputs.map((i) => i[0]).join(', ')})`);
      break;
    case 'struct': {
      const ne = attrs(item).includes('non_exhaustive') ? ' #[non_exhaustive]' : '';
      const fields = inner.kind?.plain?.fields ?? inner.kind?.tuple ?? [];
      const names = fields.filter((f) => f != null && isPublic(index[f])).map((f) => index[f].name);
      lines.add(`struct ${path}${ne} { ${names.join(', ')} }`);
      methods(inner, path);
      break;
    }
    case 'enum': {
      const ne = attrs(item).includes('non_exhaustive') ? ' #[non_exhaustive]' : '';
      lines.add(`enum ${path}${ne} { ${inner.variants.map((v) => index[v].name).join(', ')} }`);
      methods(inner, path);
      break;
    }
    case 'trait':
      lines.add(`trait ${path} { ${inner.items.map((i) => index[i].name).join(', ')} }`);
      break;
    case 'constant': case 'static': case 'type_alias': case 'macro':
      lines.add(`${kind} ${path}`);
      break;
    default:
      lines.add(`${kind} ${path}`);
  }
}

visit(doc.root, 'payrules', new Set());
console.log([...lines].sort().join('\n'));
