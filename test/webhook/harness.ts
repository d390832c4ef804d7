/**
 * Test harness for the webhook: a real server on 127.0.0.1 with a generated certificate, and HTTPS
 * clients that speak HTTP/1.1 (node:https) and HTTP/2 (node:http2).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import http2 from 'node:http2';
import https from 'node:https';
import { connect as connectTcp, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { connect as connectTls, type TLSSocket } from 'node:tls';
import { parseAllDocuments } from 'yaml';
import { createWebhook, type Webhook, type WebhookOptions } from '../../webhook/src/app.js';
import { createDevCertificate, type DevCertificate } from '../../webhook/src/dev-certificate.js';
import { WebhookMetrics } from '../../webhook/src/metrics.js';
import { type PolicySnapshot, StaticPolicySource } from '../../webhook/src/policy-source.js';
import { servingCertificate } from '../../webhook/src/tls.js';

export const ROOT = join(import.meta.dirname, '..', '..');
export const OPERATOR_EXAMPLES = join(ROOT, '..', 'shared', 'reference', 'examples');

export type Protocol = 'http1' | 'http2';
export const PROTOCOLS: readonly Protocol[] = ['http1', 'http2'];

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** The negotiated protocol (`h2`, or `http/1.1` when none was). */
  alpn: string;
  /** SHA-256 fingerprint of the certificate the server presented. */
  fingerprint: string;
  json<T = Record<string, unknown>>(): T;
}

export interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Send the body in two halves, waiting for this promise in between (a request in flight). */
  pauseBodyUntil?: Promise<unknown>;
  ca?: string | string[];
}

function reply(
  status: number,
  headers: Reply['headers'],
  text: string,
  alpn: string,
  fingerprint: string,
): Reply {
  return { status, headers, text, alpn, fingerprint, json: () => JSON.parse(text) };
}

async function writeBody(
  stream: NodeJS.WritableStream & { end(chunk?: unknown): unknown },
  options: RequestOptions,
): Promise<void> {
  const body = options.body === undefined ? undefined : Buffer.from(options.body);
  if (body === undefined) {
    stream.end();
    return;
  }
  if (options.pauseBodyUntil === undefined) {
    stream.end(body);
    return;
  }
  const half = Math.floor(body.length / 2);
  stream.write(body.subarray(0, half));
  await options.pauseBodyUntil;
  stream.end(body.subarray(half));
}

/** One request over HTTP/1.1, on a connection of its own. */
export function requestHttp1(port: number, path: string, options: RequestOptions): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const body = options.body === undefined ? undefined : Buffer.from(options.body);
    const request = https.request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: options.method ?? (body ? 'POST' : 'GET'),
        ca: options.ca,
        agent: false,
        headers: {
          ...(body && { 'content-type': 'application/json', 'content-length': String(body.length) }),
          ...options.headers,
        },
      },
      (response) => {
        const socket = response.socket as TLSSocket;
        const alpn = socket.alpnProtocol || 'http/1.1';
        const fingerprint = socket.getPeerCertificate().fingerprint256;
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve(
            reply(
              response.statusCode ?? 0,
              response.headers,
              Buffer.concat(chunks).toString('utf8'),
              alpn,
              fingerprint,
            ),
          ),
        );
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    writeBody(request, options).catch(reject);
  });
}

/** An HTTP/2 client session: several requests on one connection, as the API server sends them. */
export class Http2Client {
  readonly session: http2.ClientHttp2Session;

  constructor(port: number, ca: string | string[]) {
    this.session = http2.connect(`https://127.0.0.1:${port}`, { ca });
    this.session.on('error', () => {});
  }

  request(path: string, options: RequestOptions = {}): Promise<Reply> {
    return new Promise<Reply>((resolve, reject) => {
      const fail = (error: Error) => reject(error);
      this.session.once('error', fail);
      const body = options.body === undefined ? undefined : Buffer.from(options.body);
      const stream = this.session.request({
        ':method': options.method ?? (body ? 'POST' : 'GET'),
        ':path': path,
        ...(body && { 'content-type': 'application/json' }),
        ...options.headers,
      });
      let status = 0;
      let headers: Reply['headers'] = {};
      const chunks: Buffer[] = [];
      stream.on('response', (h) => {
        status = Number(h[':status']);
        headers = h as Reply['headers'];
      });
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        this.session.off('error', fail);
        if (status === 0) {
          reject(new Error(`stream closed without a response (code ${stream.rstCode})`));
          return;
        }
        const socket = this.session.socket as TLSSocket;
        resolve(
          reply(
            status,
            headers,
            Buffer.concat(chunks).toString('utf8'),
            this.session.alpnProtocol ?? '',
            socket.getPeerCertificate().fingerprint256,
          ),
        );
      });
      stream.on('error', reject);
      stream.on('close', () => {
        if (stream.rstCode) reject(new Error(`stream reset with code ${stream.rstCode}`));
      });
      writeBody(stream, options).catch(reject);
    });
  }

  close(): Promise<void> {
    if (this.session.closed || this.session.destroyed) return Promise.resolve();
    return new Promise((resolve) => this.session.close(() => resolve()));
  }
}

/** One request over either protocol (HTTP/2 on a fresh session, closed afterwards). */
export async function send(
  protocol: Protocol,
  port: number,
  path: string,
  options: RequestOptions,
): Promise<Reply> {
  if (protocol === 'http1') return requestHttp1(port, path, options);
  const client = new Http2Client(port, options.ca ?? []);
  try {
    return await client.request(path, options);
  } finally {
    await client.close();
  }
}

/** Log lines the server wrote, parsed. */
export class LogCapture extends Writable {
  readonly lines: Record<string, unknown>[] = [];
  raw = '';

  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    const text = chunk.toString('utf8');
    this.raw += text;
    for (const line of text.split('\n')) if (line.trim() !== '') this.lines.push(JSON.parse(line));
    done();
  }
}

export interface TestServer {
  webhook: Webhook;
  port: number;
  ca: string;
  certificate: DevCertificate;
  logs: LogCapture;
  metrics: WebhookMetrics;
  post(protocol: Protocol, path: string, review: unknown, options?: RequestOptions): Promise<Reply>;
  close(): Promise<void>;
}

/** Starts a webhook on 127.0.0.1 with a fresh certificate and a fixed policy snapshot. */
export async function startServer(
  options: Partial<WebhookOptions> & { snapshot?: Partial<PolicySnapshot> } = {},
): Promise<TestServer> {
  const certificate = createDevCertificate();
  const logs = new LogCapture();
  const metrics = options.metrics ?? new WebhookMetrics({ processMetrics: false });
  const webhook = createWebhook({
    certificate: servingCertificate(certificate.cert, certificate.key),
    policySource: new StaticPolicySource(options.snapshot),
    logger: { level: 'info', stream: logs },
    metrics,
    ...options,
  });
  const address = await webhook.start({ host: '127.0.0.1', port: 0 });
  const ca = certificate.cert;
  return {
    webhook,
    port: address.port,
    ca,
    certificate,
    logs,
    metrics,
    post: (protocol, path, review, extra = {}) =>
      send(protocol, address.port, path, {
        ca,
        // Text and bytes go as they are (bad input); anything else as its JSON.
        body: typeof review === 'string' || Buffer.isBuffer(review) ? review : JSON.stringify(review),
        ...extra,
      }),
    close: async () => {
      await webhook.shutdown({ timeoutMs: 2000 });
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// Reviews

export interface ReviewOptions {
  operation?: 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';
  object?: unknown;
  oldObject?: unknown;
  apiVersion?: string;
  dryRun?: boolean;
  uid?: string;
  subResource?: string;
}

function metadataOf(object: unknown): { name?: string; namespace?: string } {
  const metadata = (object as { metadata?: { name?: string; namespace?: string } } | null)?.metadata;
  return metadata ?? {};
}

/** An AdmissionReview request as the API server sends it for a `postgresql`. */
export function review(options: ReviewOptions): {
  apiVersion: string;
  kind: string;
  request: Record<string, unknown>;
} {
  const operation = options.operation ?? 'CREATE';
  const subject = operation === 'DELETE' ? options.oldObject : options.object;
  const { name, namespace } = metadataOf(subject);
  return {
    apiVersion: options.apiVersion ?? 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: options.uid ?? randomUUID(),
      kind: { group: 'acid.zalan.do', version: 'v1', kind: 'postgresql' },
      resource: { group: 'acid.zalan.do', version: 'v1', resource: 'postgresqls' },
      requestKind: { group: 'acid.zalan.do', version: 'v1', kind: 'postgresql' },
      requestResource: { group: 'acid.zalan.do', version: 'v1', resource: 'postgresqls' },
      ...(options.subResource && { subResource: options.subResource }),
      name,
      namespace: namespace ?? 'default',
      operation,
      userInfo: { username: 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'] },
      object: operation === 'DELETE' ? null : (options.object ?? null),
      oldObject: operation === 'CREATE' ? null : (options.oldObject ?? null),
      dryRun: options.dryRun ?? false,
      options: {
        apiVersion: 'meta.k8s.io/v1',
        kind: `${operation[0]}${operation.slice(1).toLowerCase()}Options`,
      },
    },
  };
}

/** Every `postgresql` document of a YAML/JSON file, as the API server would hold it (namespace set). */
export function manifestsOf(file: string): Record<string, unknown>[] {
  const documents = parseAllDocuments(readFileSync(file, 'utf8'));
  return documents
    .map((doc) => doc.toJS() as Record<string, unknown> | null)
    .filter((value): value is Record<string, unknown> => value?.kind === 'postgresql')
    .map((value) => {
      const metadata = (value.metadata ?? {}) as Record<string, unknown>;
      return { ...value, metadata: { namespace: 'default', ...metadata } };
    });
}

/** The operator's example manifests (outside the repository; empty when missing). */
export function operatorExamples(): { file: string; manifest: Record<string, unknown> }[] {
  if (!existsSync(OPERATOR_EXAMPLES)) return [];
  return readdirSync(OPERATOR_EXAMPLES)
    .filter((file) => file.endsWith('.yaml'))
    .flatMap((file) => manifestsOf(join(OPERATOR_EXAMPLES, file)).map((manifest) => ({ file, manifest })));
}

/** Our own fixtures: examples/good and examples/bad. */
export function ownExamples(kind: 'good' | 'bad'): { file: string; manifest: Record<string, unknown> }[] {
  const folder = join(ROOT, 'examples', kind);
  return readdirSync(folder).flatMap((file) =>
    manifestsOf(join(folder, file)).map((manifest) => ({ file, manifest })),
  );
}

/** A small valid manifest. */
export function minimalManifest(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: 'acid.zalan.do/v1',
    kind: 'postgresql',
    metadata: { name: 'acid-demo', namespace: 'default' },
    spec: {
      teamId: 'acid',
      numberOfInstances: 2,
      postgresql: { version: '17' },
      volume: { size: '1Gi' },
      ...overrides,
    },
  };
}

/** The JSON Patch of a response, decoded. */
export function decodePatch(response: { patch?: string; patchType?: string }): unknown[] {
  if (response.patch === undefined) return [];
  return JSON.parse(Buffer.from(response.patch, 'base64').toString('utf8')) as unknown[];
}

// ---------------------------------------------------------------------------------------------------
// Bad clients, mounted volumes and the built process

export interface StalledConnection {
  /** Resolves once the server closed the connection: what it sent, and after how long. */
  closed: Promise<{ received: Buffer; ms: number }>;
  destroy(): void;
}

/**
 * A client that stalls: opens a connection and sends `bytes` (if any) once connected, then nothing.
 * `tcp` never starts TLS; `http1` and `h2` negotiate that protocol first. `closed` rejects when the
 * server has not closed the connection after `limitMs`.
 */
export function stalledConnection(
  port: number,
  options: { layer: 'tcp' | 'http1' | 'h2'; ca?: string; bytes?: Buffer | string; limitMs: number },
): StalledConnection {
  const started = Date.now();
  const chunks: Buffer[] = [];
  let socket: Socket;
  const write = () => {
    if (options.bytes !== undefined) socket.write(options.bytes);
  };
  if (options.layer === 'tcp') {
    socket = connectTcp(port, '127.0.0.1', write);
  } else {
    const alpn = options.layer === 'h2' ? 'h2' : 'http/1.1';
    socket = connectTls({ host: '127.0.0.1', port, ca: options.ca, ALPNProtocols: [alpn] }, write);
  }
  const closed = new Promise<{ received: Buffer; ms: number }>((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`${options.layer}: still open after ${options.limitMs} ms`));
    }, options.limitMs);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ received: Buffer.concat(chunks), ms: Date.now() - started });
    });
  });
  return { closed, destroy: () => socket.destroy() };
}

/** The client preface, SETTINGS and a HEADERS frame of stream 1 whose header block never ends. */
export function unfinishedHttp2Headers(): Buffer {
  const preface = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');
  const settings = Buffer.from([0, 0, 0, 0x4, 0, 0, 0, 0, 0]);
  // HPACK: :method POST, :scheme https, :path / (static table 3, 7, 4); flags 0: no END_HEADERS.
  const block = Buffer.from([0x83, 0x87, 0x84]);
  const header = Buffer.from([0, 0, block.length, 0x1, 0, 0, 0, 0, 1]);
  return Buffer.concat([preface, settings, header, block]);
}

/**
 * A folder mounted as the kubelet mounts a ConfigMap or Secret: each file is a link through `..data`,
 * which points at a timestamped folder; an update writes a new folder and renames a new link over
 * `..data` (atomic: a reader sees the old files or the new ones, never half of each).
 */
export class MountedVolume {
  readonly folder = mkdtempSync(join(tmpdir(), 'acid-guard-volume-'));
  #generation = 0;

  constructor(files: Record<string, string>) {
    this.#write(files);
    for (const name of Object.keys(files)) symlinkSync(join('..data', name), join(this.folder, name));
  }

  path(name: string): string {
    return join(this.folder, name);
  }

  #write(files: Record<string, string>): void {
    const generation = `..2026_11_26_${String(++this.#generation).padStart(6, '0')}`;
    mkdirSync(join(this.folder, generation));
    for (const [name, text] of Object.entries(files))
      writeFileSync(join(this.folder, generation, name), text);
    symlinkSync(generation, join(this.folder, '..data_tmp'));
    renameSync(join(this.folder, '..data_tmp'), join(this.folder, '..data'));
    // The kubelet removes the previous generation; old folders are kept here until remove().
  }

  /** Swaps in new contents for the files (all of them at once). */
  update(files: Record<string, string>): void {
    this.#write(files);
  }

  remove(): void {
    rmSync(this.folder, { recursive: true, force: true });
  }
}

export const WEBHOOK_BIN = join(ROOT, 'webhook', 'bin', 'acid-guard-webhook.js');

export interface WebhookProcess {
  child: ChildProcess;
  port: number;
  /** The development certificate (PEM), for clients. */
  ca: string;
  /** Parsed JSON log lines on stdout so far. */
  logs(): Record<string, unknown>[];
  stderr(): string;
  /** Resolves with the exit code (and the signal, if one ended it). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Output of a process that exited: its code, stdout and stderr. */
export interface ProcessOutcome {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

function collect(child: ChildProcess): { stdout: () => string; stderr: () => string } {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return { stdout: () => stdout, stderr: () => stderr };
}

function parseLogLines(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** Runs the built webhook with `args` until it exits on its own (bounded by `limitMs`). */
export function runBuiltWebhook(args: readonly string[], limitMs: number): Promise<ProcessOutcome> {
  const started = Date.now();
  const child = spawn(process.execPath, [WEBHOOK_BIN, ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = collect(child);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`still running after ${limitMs} ms:\n${output.stdout()}\n${output.stderr()}`));
    }, limitMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      // stdout and stderr may still hold a last chunk: wait for both to end.
      child.once('close', () =>
        resolve({ code, stdout: output.stdout(), stderr: output.stderr(), ms: Date.now() - started }),
      );
    });
  });
}

/**
 * Starts the built webhook (`webhook/bin/acid-guard-webhook.js`, from `npm run build`) in development
 * mode on a free port of 127.0.0.1 and waits until it is ready (bounded by `limitMs`).
 */
export async function startBuiltWebhook(args: readonly string[], limitMs = 15_000): Promise<WebhookProcess> {
  if (!existsSync(WEBHOOK_BIN)) throw new Error('webhook/dist is missing: build first (npm run build)');
  const child = spawn(process.execPath, [WEBHOOK_BIN, '--dev', '--port', '0', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = collect(child);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const started = Date.now();
  for (;;) {
    const match = /--cacert (\S+) .* https:\/\/127\.0\.0\.1:(\d+)\/validate/.exec(output.stderr());
    if (match && output.stdout().includes('"msg":"ready"')) {
      return {
        child,
        port: Number(match[2]),
        ca: readFileSync(match[1] as string, 'utf8'),
        logs: () => parseLogLines(output.stdout()),
        stderr: output.stderr,
        exited,
      };
    }
    if (child.exitCode !== null || Date.now() - started > limitMs) {
      child.kill('SIGKILL');
      throw new Error(`the webhook did not become ready:\n${output.stdout()}\n${output.stderr()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
