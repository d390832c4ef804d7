/**
 * The process: flags and environment, the certificate and policy files, signals and a bounded
 * graceful shutdown. Everything else lives in the modules it wires together.
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { createWebhook, type Webhook } from './app.js';
import { ConfigError, readConfig, USAGE, type WebhookConfig } from './config.js';
import { curlLine, type DevFolder, prepareDevFolder } from './dev-mode.js';
import { WebhookMetrics } from './metrics.js';
import { FilePolicySource, type PolicySource } from './policy-source.js';
import { readServingCertificate } from './tls.js';

/** Exit codes: 0 clean shutdown, 1 forced shutdown or crash, 2 unusable configuration. */
const EXIT_FORCED = 1;
const EXIT_CONFIG = 2;

function version(): string {
  const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return manifest.version;
}

function fail(message: string, code: number): never {
  process.stderr.write(`acid-guard-webhook: ${message}\n`);
  process.exit(code);
}

function configFrom(argv: readonly string[], env: NodeJS.ProcessEnv): WebhookConfig {
  try {
    return readConfig(argv, env);
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message, EXIT_CONFIG);
    throw error;
  }
}

/** Set once a signal asked the process to stop: a policy source closed by it is no failure. */
let stopping = false;

function handleSignals(webhook: Webhook, config: WebhookConfig, policy: PolicySource, dev?: DevFolder): void {
  const log = webhook.fastify.log;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      log.warn({ signal }, 'second signal during shutdown: exiting now');
      process.exit(EXIT_FORCED);
    }
    stopping = true;
    log.info({ signal }, 'signal received');
    // The last word: whatever hangs, the process ends within the bounds it was given.
    setTimeout(
      () => process.exit(EXIT_FORCED),
      config.shutdownDelayMs + config.shutdownTimeoutMs + 5000,
    ).unref();
    void webhook
      .shutdown({ delayMs: config.shutdownDelayMs, timeoutMs: config.shutdownTimeoutMs })
      .then(({ forced }) => {
        dev?.remove();
        process.exit(forced ? EXIT_FORCED : 0);
      });
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.on('SIGHUP', () => {
    if (policy instanceof FilePolicySource) {
      log.info('SIGHUP: reloading the policy files');
      void policy.reload();
    } else log.info('SIGHUP ignored: the policy follows the cluster through watches');
  });
  const crash = (error: unknown): void => {
    log.fatal({ err: error }, 'uncaught error outside any request: exiting');
    dev?.remove();
    process.exit(EXIT_FORCED);
  };
  process.on('uncaughtException', crash);
  process.on('unhandledRejection', crash);
}

/** Starts the webhook as configured by `argv` and `env`; resolves once it is ready. */
export async function run(
  argv: readonly string[] = process.argv.slice(2),
  env = process.env,
): Promise<Webhook> {
  const config = configFrom(argv, env);
  if (config.help) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  if (config.version) {
    process.stdout.write(`${version()}\n`);
    process.exit(0);
  }
  const dev = config.dev && config.tlsCert === undefined ? prepareDevFolder() : undefined;
  const certFile = config.tlsCert ?? dev?.certFile;
  const keyFile = config.tlsKey ?? dev?.keyFile;
  if (certFile === undefined || keyFile === undefined) fail('no certificate', EXIT_CONFIG);

  let certificate: ReturnType<typeof readServingCertificate>;
  try {
    certificate = readServingCertificate(certFile, keyFile);
  } catch (error) {
    fail(`cannot use the serving certificate: ${(error as Error).message}`, EXIT_CONFIG);
  }
  const metrics = new WebhookMetrics();
  let policy: PolicySource;
  let attachLogger: ((webhook: Webhook) => void) | undefined;
  if (config.cluster !== undefined) {
    // Loaded only in this mode: it brings @kubernetes/client-node.
    const { ClusterPolicySource } = await import('./cluster/cluster-policy-source.js');
    const source = new ClusterPolicySource(config.cluster, { metrics });
    attachLogger = (webhook) => source.useLogger(webhook.fastify.log);
    policy = source;
  } else {
    policy = new FilePolicySource({
      ...(config.operatorConfig !== undefined && { operatorConfig: config.operatorConfig }),
      ...(config.defaults !== undefined && { defaults: config.defaults }),
      teams: config.teams,
    });
  }
  const webhook = createWebhook({
    certificate,
    certificateFiles: { cert: certFile, key: keyFile },
    policySource: policy,
    allowBypass: config.allowBypass,
    logger: { level: config.logLevel },
    cacheSize: config.cacheSize,
    metrics,
  });
  attachLogger?.(webhook);
  handleSignals(webhook, config, policy, dev);
  if (config.cluster !== undefined) {
    webhook.fastify.log.info(
      { operatorNamespace: config.cluster.operatorNamespace },
      'reading the policy from the cluster: not ready until it has been listed and read',
    );
  }
  try {
    const address = await webhook.start({ host: config.host, port: config.port });
    webhook.fastify.log.info(
      {
        address: address.address,
        port: address.port,
        version: version(),
        allowBypass: config.allowBypass,
        certificate: { notAfter: certificate.notAfter.toISOString(), names: certificate.names },
      },
      'ready',
    );
    if (dev !== undefined) {
      process.stderr.write(
        `\nacid-guard-webhook development mode: self-signed certificate and a sample review in ${dev.folder}\n` +
          `Send the sample review (a CREATE with two errors and one warning):\n\n  ${curlLine(dev, address.port)}\n\n` +
          `The same to /mutate answers a patch (type repairs; defaults with --defaults). Stop with Ctrl-C.\n\n`,
      );
    }
  } catch (error) {
    // A signal during start-up closes the policy source; the shutdown then ends the process.
    if (stopping) return webhook;
    webhook.fastify.log.fatal({ error: (error as Error).message }, 'cannot start');
    process.stderr.write(
      `acid-guard-webhook: cannot start: ${(error as Error).message.replaceAll('\n', '; ')}\n`,
    );
    dev?.remove();
    process.exit(EXIT_CONFIG);
  }
  return webhook;
}

// Run when started directly (`node --import tsx webhook/src/main.ts`); the bin calls run() itself.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) void run();
