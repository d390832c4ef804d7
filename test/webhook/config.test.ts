import { describe, expect, it } from 'vitest';
import { ConfigError, parseDuration, readConfig } from '../../webhook/src/config.js';

const TLS = ['--tls-cert', '/certs/tls.crt', '--tls-key', '/certs/tls.key'];

describe('readConfig: flags and environment', () => {
  it('has production defaults', () => {
    expect(readConfig(TLS, {})).toEqual({
      host: '0.0.0.0',
      port: 8443,
      tlsCert: '/certs/tls.crt',
      tlsKey: '/certs/tls.key',
      teams: [],
      logLevel: 'info',
      dev: false,
      allowBypass: false,
      shutdownDelayMs: 0,
      shutdownTimeoutMs: 10_000,
      cacheSize: 1000,
      help: false,
      version: false,
    });
  });

  it('reads every flag', () => {
    const config = readConfig(
      [
        ...TLS,
        '--port=9443',
        '--host',
        '::',
        '--operator-config',
        'op.yaml',
        '--defaults',
        'defaults.yaml',
        '--teams',
        'a.yaml',
        '--teams',
        'b.yaml',
        '--log-level',
        'debug',
        '--allow-bypass',
        '--shutdown-delay',
        '5s',
        '--shutdown-timeout',
        '1m',
        '--cache-size',
        '0',
      ],
      {},
    );
    expect(config).toMatchObject({
      port: 9443,
      host: '::',
      operatorConfig: 'op.yaml',
      defaults: 'defaults.yaml',
      teams: ['a.yaml', 'b.yaml'],
      logLevel: 'debug',
      allowBypass: true,
      shutdownDelayMs: 5000,
      shutdownTimeoutMs: 60_000,
      cacheSize: 0,
    });
  });

  it('reads the environment, and flags win over it', () => {
    const env = {
      ACID_GUARD_TLS_CERT: '/env/tls.crt',
      ACID_GUARD_TLS_KEY: '/env/tls.key',
      ACID_GUARD_PORT: '10250',
      ACID_GUARD_TEAMS: 'a.yaml, b.yaml',
      ACID_GUARD_ALLOW_BYPASS: 'true',
      ACID_GUARD_LOG_LEVEL: 'warn',
    };
    expect(readConfig([], env)).toMatchObject({
      tlsCert: '/env/tls.crt',
      port: 10250,
      teams: ['a.yaml', 'b.yaml'],
      allowBypass: true,
      logLevel: 'warn',
    });
    expect(readConfig(['--port', '8443', '--log-level', 'error'], env)).toMatchObject({
      port: 8443,
      logLevel: 'error',
    });
  });

  it('development mode needs no certificate and listens on 127.0.0.1', () => {
    expect(readConfig(['--dev'], {})).toMatchObject({ dev: true, host: '127.0.0.1' });
    expect(readConfig([], { ACID_GUARD_DEV: '1' })).toMatchObject({ dev: true });
  });

  it.each([
    [[], /serves HTTPS only: give --tls-cert and --tls-key/],
    [['--tls-cert', 'a'], /serves HTTPS only/],
    [['--dev', '--tls-cert', 'a'], /--tls-cert and --tls-key go together/],
    [[...TLS, '--port', '70000'], /--port: "70000" is not a whole number from 0 to 65535/],
    [[...TLS, '--port=-1'], /--port: "-1" is not a whole number/],
    [[...TLS, '--port', '-1'], /Option '--port' argument is ambiguous\. Did you forget/],
    [[...TLS, '--log-level', 'loud'], /--log-level: "loud" is not one of fatal, error/],
    [[...TLS, '--shutdown-timeout', 'soon'], /--shutdown-timeout: "soon" is not a duration/],
    [[...TLS, '--tls-crt', 'x'], /Unknown option '--tls-crt'; see --help/],
  ])('%j → ConfigError', (argv, message) => {
    expect(() => readConfig(argv, {})).toThrow(ConfigError);
    expect(() => readConfig(argv, {})).toThrow(message);
  });

  it('refuses an environment boolean it cannot read', () => {
    expect(() => readConfig(TLS, { ACID_GUARD_ALLOW_BYPASS: 'maybe' })).toThrow(
      /ACID_GUARD_ALLOW_BYPASS: "maybe" is not true or false/,
    );
  });

  it('reads durations', () => {
    expect(parseDuration('500ms', 'x')).toBe(500);
    expect(parseDuration('2.5s', 'x')).toBe(2500);
    expect(parseDuration('3', 'x')).toBe(3000);
    expect(parseDuration('1m', 'x')).toBe(60_000);
  });
});
