'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { gatewayOptions, commandOptions, gatewayArgs } = require('./offline');

test('gatewayArgs: the offline environment first, then the options as the gateway flags', () => {
  const args = gatewayArgs(
    {
      port: '4000', env: ['A=1', 'B=2'], watch: false, quiet: true,
      stage: 'dev', region: 'us-east-1', data: '.offline/db', param: ['tracing=otel'],
    },
    { TOKEN_SECRET: 'offline-secret' }
  );
  assert.deepEqual(args, [
    '-build',
    '-env', 'TOKEN_SECRET=offline-secret',
    '-stage', 'dev',
    '-region', 'us-east-1',
    '-param', 'tracing=otel',
    '-port', '4000',
    '-data', '.offline/db',
    '-env', 'A=1',
    '-env', 'B=2',
    '-watch=false',
    '-quiet=true',
  ]);
  assert.deepEqual(gatewayArgs({}), ['-build']);
  // --no-watch comes as false, --trace-all as true.
  assert.deepEqual(gatewayArgs({ watch: false, 'trace-all': true }), ['-build', '-trace-all=true', '-watch=false']);
});

test('every option is described', () => {
  for (const [name, spec] of Object.entries(commandOptions())) {
    assert.ok(spec.usage && spec.usage.length > 10, `--${name} has no usage`);
    assert.equal(spec.type, gatewayOptions[name]);
  }
});

// The options are the gateway's flags, no more and no fewer: a flag added
// to the gateway without its option here would be out of reach of
// `serverless offline`.
test('the options are the gateway flags', () => {
  const root = path.resolve(__dirname, '..', '..');
  let help;
  try {
    execFileSync('go', ['run', './offline', '-h'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    help = err.stdout + err.stderr;
  }
  help = help || execFileSync('go', ['run', './offline', '-h'], { cwd: root, encoding: 'utf8' });
  const flags = [...help.matchAll(/^ {2}-([a-z-]+)/gm)].map((m) => m[1]);
  assert.ok(flags.includes('port'), `no flags read from:\n${help}`);
  // Those the command sets itself (-build) or the framework gives as its
  // own options (--stage, --region, --config, --param).
  const own = new Set(['build', 'stage', 'region', 'config', 'param']);
  assert.deepEqual(flags.filter((f) => !own.has(f)).sort(), Object.keys(gatewayOptions).sort());
});

test('fatalSignalsCaught reads which of SIGHUP, SIGINT and SIGTERM a process catches', () => {
  const { fatalSignalsCaught } = require('./offline');
  const before = fatalSignalsCaught(process.pid);
  assert.equal(typeof before, 'number');
  const onHup = () => {};
  process.on('SIGHUP', onHup);
  assert.equal(fatalSignalsCaught(process.pid) & 1, 1, 'SIGHUP caught');
  process.removeListener('SIGHUP', onHup);
  assert.equal(fatalSignalsCaught(process.pid) & 1, before & 1, 'SIGHUP as before');
  assert.equal(fatalSignalsCaught(2 ** 22 + 12345), null, 'no such process');
});
