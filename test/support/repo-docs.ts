import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/** A file of the repository as an admin reads it: README.md, .env.example, manifest.yml. */
export function readRepoFile(name: string): string {
  return readFileSync(join(repoRoot, name), 'utf8');
}

/** The text under a README heading (`## Configuration`, `### Log events`) up to the next heading of any level. */
export function readmeSection(heading: string): string {
  const readme = readRepoFile('README.md');
  const start = readme.indexOf(`\n${heading}\n`);
  if (start === -1) throw new Error(`README.md has no "${heading}"`);
  const body = readme.slice(start + heading.length + 2);
  const next = body.search(/^#{1,6} /m);
  return next === -1 ? body : body.slice(0, next);
}

/** Every TypeScript source under src/, each file's text. */
export function sourceFiles(): string[] {
  const folder = join(repoRoot, 'src');
  return readdirSync(folder, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.ts'))
    .map((name) => readFileSync(join(folder, name), 'utf8'));
}
