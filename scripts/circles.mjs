// Fails when the files of the client or of the command line import each other in a circle: a circle means
// no file in it can be read, tested or moved without the others. Walks the relative imports (type-only ones
// too, since they tie the rooms together just the same) of <root>/**/*.ts and reports each strongly
// connected group.
// Usage: node scripts/circles.mjs [root…]   (roots default to client/src and cli/src)
import { readFileSync, readdirSync, statSync, existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function tsFiles(dir) {
  const out = [];
  for (const entry of readdirSync(dir)) {
    const full = join(dir, entry);
    if (statSync(full).isDirectory()) out.push(...tsFiles(full));
    else if (entry.endsWith('.ts') && !entry.endsWith('.d.ts')) out.push(full);
  }
  return out;
}

// `import ... from './x'`, `export ... from './x'`, `import './x'`, `import('./x')`, `require('./x')`.
const importPattern = /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)['"](\.{1,2}\/[^'"]*)['"]/g;

function resolveImport(fromFile, spec) {
  const base = resolve(dirname(fromFile), spec);
  for (const candidate of [base, `${base}.ts`, join(base, 'index.ts')]) {
    if (candidate.endsWith('.ts') && existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}

/** The import graph of the .ts files under root: file → files it imports (inside root only). */
export function importGraph(root) {
  const files = tsFiles(root);
  const inside = new Set(files);
  const graph = new Map();
  for (const file of files) {
    const text = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
    const targets = new Set();
    for (const match of text.matchAll(importPattern)) {
      const target = resolveImport(file, match[1]);
      if (target && inside.has(target)) targets.add(target);
    }
    graph.set(file, [...targets]);
  }
  return graph;
}

/** Groups of files that reach each other (Tarjan's strongly connected components), only those of 2+ files. */
export function circles(graph) {
  let counter = 0;
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const groups = [];
  const visit = (node) => {
    index.set(node, counter);
    low.set(node, counter);
    counter++;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node), low.get(next)));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node), index.get(next)));
      }
    }
    if (low.get(node) === index.get(node)) {
      const group = [];
      let member;
      do {
        member = stack.pop();
        onStack.delete(member);
        group.push(member);
      } while (member !== node);
      const selfImport = group.length === 1 && (graph.get(node) ?? []).includes(node);
      if (group.length > 1 || selfImport) groups.push(group.sort());
    }
  };
  for (const node of [...graph.keys()].sort()) if (!index.has(node)) visit(node);
  return groups;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const roots = process.argv.length > 2 ? process.argv.slice(2) : ['client/src', 'cli/src'];
  for (const root of roots.map((r) => resolve(repo, r))) {
    const found = circles(importGraph(root));
    if (found.length === 0) {
      console.log(`circles: no import circles in ${relative(repo, root)}`);
    } else {
      for (const group of found) {
        console.error(`circles: ${group.length} files import each other in a circle:`);
        for (const file of group) console.error(`  ${relative(repo, file)}`);
      }
      console.error('Move the shared part to a file both can import (ui/, a model, or a spec file), so imports run one way.');
      process.exitCode = 1;
    }
  }
}
