import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, posix, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/*
 * The dependency rule of DESIGN.md, checked on the TypeScript sources (this file runs from
 * dist/, so it reads ../../../src). A small tokenizer, not a plain regex over the text, so
 * that comments, strings and TSDoc tags (`@throws`) are never mistaken for imports or
 * decorators, and multi-line and `import type` declarations are still found.
 */

interface Token {
  readonly kind: 'name' | 'string' | 'template' | 'punct' | 'other';
  readonly text: string;
  readonly line: number;
}

const KEYWORDS_BEFORE_REGEX = new Set([
  'return', 'typeof', 'instanceof', 'in', 'of', 'new', 'delete', 'void', 'throw', 'case', 'do', 'else', 'yield', 'await',
]);

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  const templateDepths: number[] = [];
  let depth = 0;
  let line = 1;
  let i = 0;
  const countLines = (from: number, to: number) => {
    for (let k = from; k < to; k += 1) if (source[k] === '\n') line += 1;
  };
  const push = (kind: Token['kind'], text: string, startLine = line) => tokens.push({ kind, text, line: startLine });
  /** Reads template text from `i`, just after a backtick or after the `}` ending a substitution. */
  const readTemplate = (continuation: boolean): void => {
    const start = i;
    const startLine = line;
    let text = '';
    while (i < source.length) {
      const c = source[i];
      if (c === '\\') {
        text += source.slice(i, i + 2);
        i += 2;
      } else if (c === '`') {
        i += 1;
        countLines(start, i);
        // A template without substitutions is a plain string, as in import(`node:fs`).
        push(continuation ? 'template' : 'string', text, startLine);
        return;
      } else if (c === '$' && source[i + 1] === '{') {
        i += 2;
        countLines(start, i);
        push('template', text, startLine);
        templateDepths.push(depth);
        depth += 1;
        return;
      } else {
        text += c;
        i += 1;
      }
    }
    countLines(start, i);
  };
  while (i < source.length) {
    const c = source[i] as string;
    const next = source[i + 1];
    if (c === '\n') { line += 1; i += 1; continue; }
    if (/\s/.test(c)) { i += 1; continue; }
    if (c === '/' && next === '/') { while (i < source.length && source[i] !== '\n') i += 1; continue; }
    if (c === '/' && next === '*') {
      const end = source.indexOf('*/', i + 2);
      const stop = end === -1 ? source.length : end + 2;
      countLines(i, stop);
      i = stop;
      continue;
    }
    if (c === "'" || c === '"') {
      let j = i + 1;
      while (j < source.length && source[j] !== c && source[j] !== '\n') j += source[j] === '\\' ? 2 : 1;
      push('string', source.slice(i + 1, j));
      i = j + 1;
      continue;
    }
    if (c === '`') { i += 1; readTemplate(false); continue; }
    if (c === '}' && templateDepths.at(-1) === depth - 1) { templateDepths.pop(); depth -= 1; i += 1; readTemplate(true); continue; }
    if (c === '/' && startsRegex(tokens.at(-1))) {
      let j = i + 1;
      let inClass = false;
      while (j < source.length && source[j] !== '\n' && (inClass || source[j] !== '/')) {
        if (source[j] === '[') inClass = true;
        else if (source[j] === ']') inClass = false;
        j += source[j] === '\\' ? 2 : 1;
      }
      j += 1;
      while (j < source.length && /[a-z]/i.test(source[j] as string)) j += 1;
      push('other', source.slice(i, j));
      i = j;
      continue;
    }
    const word = /^[A-Za-z_$][\w$]*/.exec(source.slice(i, i + 200));
    if (word !== null) { push('name', word[0]); i += word[0].length; continue; }
    const number = /^\d[\w.]*/.exec(source.slice(i, i + 100));
    if (number !== null) { push('other', number[0]); i += number[0].length; continue; }
    if (c === '{') depth += 1;
    if (c === '}') depth -= 1;
    push('punct', c);
    i += 1;
  }
  return tokens;
}

function startsRegex(previous: Token | undefined): boolean {
  if (previous === undefined) return true;
  if (previous.kind === 'name') return KEYWORDS_BEFORE_REGEX.has(previous.text);
  if (previous.kind === 'punct') return !')]}'.includes(previous.text);
  return false;
}

export interface ModuleReference {
  /** Undefined for a computed `import(expr)` or `require(expr)`, which cannot be checked. */
  readonly specifier: string | undefined;
  readonly line: number;
}

const DECLARATION_TOKENS = /^(?:[A-Za-z_$][\w$]*|[{},*])$/;

/** Every module a source refers to: static and type imports, re-exports, import() and require(). */
export function moduleReferences(source: string): ModuleReference[] {
  const tokens = tokenize(source);
  const references: ModuleReference[] = [];
  const at = (k: number): Token | undefined => tokens[k];
  const fromClause = (start: number): string | undefined => {
    for (let j = start; j < tokens.length; j += 1) {
      const token = tokens[j] as Token;
      if (token.kind === 'name' && token.text === 'from' && at(j + 1)?.kind === 'string') return at(j + 1)?.text;
      if (token.kind === 'string' || !DECLARATION_TOKENS.test(token.text)) return undefined;
    }
    return undefined;
  };
  tokens.forEach((token, k) => {
    if (token.kind !== 'name' || at(k - 1)?.text === '.') return;
    const next = at(k + 1);
    if (token.text === 'import' || token.text === 'require') {
      if (next?.text === '(') {
        const argument = at(k + 2);
        const literal = argument?.kind === 'string' && (at(k + 3)?.text === ')' || at(k + 3)?.text === ',');
        references.push({ specifier: literal ? argument.text : undefined, line: token.line });
        return;
      }
      if (token.text === 'require' || next?.text === '.') return;
      if (next?.kind === 'string') { references.push({ specifier: next.text, line: token.line }); return; }
      const specifier = fromClause(k + 1);
      if (specifier !== undefined) references.push({ specifier, line: token.line });
      return;
    }
    if (token.text === 'export') {
      const head = next?.text === 'type' ? at(k + 2) : next;
      if (head?.text !== '{' && head?.text !== '*') return;
      const specifier = fromClause(k + 1);
      if (specifier !== undefined) references.push({ specifier, line: token.line });
    }
  });
  return references;
}

/** `@name` outside comments and strings: in TypeScript that is only ever a decorator. */
export function decorators(source: string): { name: string; line: number }[] {
  const tokens = tokenize(source);
  return tokens.flatMap((token, k) => {
    const name = tokens[k + 1];
    return token.text === '@' && token.kind === 'punct' && name?.kind === 'name' ? [{ name: name.text, line: token.line }] : [];
  });
}

export type Rule = 'domain-imports' | 'ports-imports' | 'no-decorators' | 'no-inversify' | 'app-imports' | 'dev-packages';

export interface Violation {
  readonly rule: Rule;
  readonly where: string;
  readonly detail: string;
}

const isUnder = (path: string, folder: string) => path.startsWith(`${folder}/`);
const isCore = (path: string) => isUnder(path, 'src/domain') || isUnder(path, 'src/ports');

/** The package a bare specifier names (`@scope/name/sub` → `@scope/name`); undefined for relative and `node:` ones. */
function packageOf(specifier: string): string | undefined {
  if (specifier.startsWith('.') || specifier.startsWith('node:')) return undefined;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/**
 * Checks one source file, given by its repository-relative POSIX path and its text.
 * `runtimePackages`: what an install without dev dependencies has; src may import nothing else.
 */
export function checkSource(path: string, source: string, runtimePackages?: ReadonlySet<string>): Violation[] {
  const violations: Violation[] = [];
  const report = (rule: Rule, line: number, detail: string) => violations.push({ rule, where: `${path}:${line}`, detail });
  const layerRule: Rule | undefined = isUnder(path, 'src/domain') ? 'domain-imports' : isUnder(path, 'src/ports') ? 'ports-imports' : undefined;
  for (const { specifier, line } of moduleReferences(source)) {
    if (specifier === undefined) {
      if (layerRule !== undefined) report(layerRule, line, 'computed import() or require(): cannot be checked');
      continue;
    }
    const relativeSpecifier = specifier.startsWith('./') || specifier.startsWith('../');
    const target = relativeSpecifier ? posix.normalize(posix.join(posix.dirname(path), specifier)) : undefined;
    if (layerRule !== undefined && (target === undefined || !isCore(target))) {
      report(layerRule, line, `imports '${specifier}'${target === undefined ? ' (a package)' : ` (${target})`}; only src/domain and src/ports are allowed`);
    }
    if (isCore(path) && /^inversify(?:\/|$)|^@inversifyjs\/|^reflect-metadata$/.test(specifier)) {
      report('no-inversify', line, `imports '${specifier}'; bind domain classes in src/app instead`);
    }
    const pkg = packageOf(specifier);
    if (runtimePackages !== undefined && isUnder(path, 'src') && pkg !== undefined && !runtimePackages.has(pkg) && !BUILTINS.has(pkg)) {
      report('dev-packages', line, `imports '${specifier}', which is not among package.json's dependencies`);
    }
    if (isUnder(path, 'src') && !isUnder(path, 'src/app') && target !== undefined && isUnder(target, 'src/app')) {
      report('app-imports', line, `imports '${specifier}' (${target}); only src/app may depend on the composition root`);
    }
  }
  if (isCore(path)) {
    for (const { name, line } of decorators(source)) report('no-decorators', line, `uses the decorator @${name}`);
  }
  return violations;
}

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

function sourceFiles(folder: string): string[] {
  return readdirSync(join(ROOT, folder), { recursive: true, withFileTypes: false, encoding: 'utf8' })
    .filter((name) => /\.[mc]?ts$/.test(name))
    .map((name) => relative(ROOT, join(ROOT, folder, name)).split(sep).join('/'))
    .sort();
}

/** Node's modules imported without `node:`. */
const BUILTINS = new Set(builtinModules);
const RUNTIME_PACKAGES = new Set(Object.keys((JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: object }).dependencies));

function violationsOf(rule: Rule, files: readonly string[]): string[] {
  return files
    .flatMap((file) => checkSource(file, readFileSync(join(ROOT, file), 'utf8'), RUNTIME_PACKAGES))
    .filter((violation) => violation.rule === rule)
    .map((violation) => `${violation.where} ${violation.detail}`);
}

describe('architecture', () => {
  describe('the import checker itself', () => {
    const rulesOf = (path: string, source: string) => checkSource(path, source).map((v) => v.rule);

    it('flags a domain file importing a node built-in', () => {
      expect(rulesOf('src/domain/bad.ts', "import { readFileSync } from 'node:fs';\n")).to.deep.equal(['domain-imports']);
    });

    it('flags a multi-line type import from an adapter, on the line it starts', () => {
      const source = "// header\nimport type {\n  A,\n  B,\n} from '../adapters/stores/x.js';\n";
      expect(checkSource('src/domain/bad.ts', source)).to.deep.equal([
        { rule: 'domain-imports', where: 'src/domain/bad.ts:2', detail: "imports '../adapters/stores/x.js' (src/adapters/stores/x.js); only src/domain and src/ports are allowed" },
      ]);
    });

    it('flags re-exports, side-effect imports and dynamic imports', () => {
      const source = [
        "export * from 'inversify';",
        "export type { X } from '../app/container.js';",
        "import 'reflect-metadata';",
        "const net = await import('node:net');",
        'const other = await import(name);',
        "const fs = require('fs');",
      ].join('\n');
      expect(checkSource('src/ports/bad.ts', source).filter((v) => v.rule === 'ports-imports').map((v) => v.where)).to.deep.equal(
        [1, 2, 3, 4, 5, 6].map((line) => `src/ports/bad.ts:${line}`),
      );
    });

    it('flags inversify and decorators in the core but not TSDoc tags', () => {
      const source = "import { injectable } from 'inversify';\n/** @throws AuthError */\n@injectable()\nexport class A {}\n";
      expect(rulesOf('src/domain/bad.ts', source)).to.have.members(['domain-imports', 'no-inversify', 'no-decorators']);
    });

    it('flags a source importing a package that is not a runtime dependency, types included', () => {
      const source = "import type { status } from '@grpc/grpc-js';\nimport pino from 'pino';\nimport { readFileSync } from 'fs';";
      expect(checkSource('src/adapters/rpc/x.ts', source, new Set(['pino'])).map((violation) => violation.where)).to.deep.equal(['src/adapters/rpc/x.ts:1']);
    });

    it('flags an adapter that imports the composition root', () => {
      expect(rulesOf('src/adapters/rpc/bad.ts', "import { paths } from '../../app/paths.js';\n")).to.deep.equal(['app-imports']);
    });

    it('accepts domain and port imports, and ignores imports inside comments and strings', () => {
      const source = [
        "import { AuthError } from './auth-error.js';",
        "import type { CertStore } from '../ports/cert-store.js';",
        "export { isFingerprint } from './fingerprint.js';",
        "// import { readFileSync } from 'node:fs';",
        "/* import('node:net') */",
        "const hint = \"import x from 'node:fs'\";",
        "const re = /import from 'x'/;",
        'const t = `${"import(\'node:os\')"} text`;',
        'const meta = import.meta.url;',
      ].join('\n');
      expect(checkSource('src/domain/good.ts', source)).to.deep.equal([]);
    });
  });

  describe('the sources', () => {
    const domainFiles = sourceFiles('src/domain');
    const portFiles = sourceFiles('src/ports');
    const allFiles = sourceFiles('src');

    it('finds the domain and port sources to check', () => {
      expect(domainFiles).to.include('src/domain/trust-policy.ts');
      expect(portFiles).to.include('src/ports/cert-store.ts');
    });

    it('src/domain imports only src/domain and src/ports', () => {
      expect(violationsOf('domain-imports', domainFiles)).to.deep.equal([]);
    });

    it('src/ports imports only src/domain and src/ports', () => {
      expect(violationsOf('ports-imports', portFiles)).to.deep.equal([]);
    });

    it('src/domain and src/ports use no decorators and do not import inversify', () => {
      const core = [...domainFiles, ...portFiles];
      expect([...violationsOf('no-decorators', core), ...violationsOf('no-inversify', core)]).to.deep.equal([]);
    });

    it('nothing outside src/app imports from src/app', () => {
      expect(violationsOf('app-imports', allFiles)).to.deep.equal([]);
    });

    // grpc-js and proto-loader are the tests' reference client: an install without dev
    // dependencies must still run both programs.
    it('src imports only packages of package.json dependencies', () => {
      expect(RUNTIME_PACKAGES).to.not.include('@grpc/grpc-js');
      expect(violationsOf('dev-packages', allFiles)).to.deep.equal([]);
    });
  });
});
