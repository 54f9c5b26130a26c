'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { gatewayOptions, commandOptions, gatewayArgs, buildGateway } = require('./offline');

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

test('buildGateway: says what it builds, then how far whenever the go command is silent; passes its errors on', async () => {
  const fs = require('node:fs');
  const os = require('node:os');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gateway-build-'));
  try {
    fs.mkdirSync(path.join(dir, 'offline', 'greeting'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'go.mod'), 'module example.com/g\n\ngo 1.26\n');
    // A constant no earlier run compiled, so the build cache cannot hold it.
    fs.writeFileSync(path.join(dir, 'offline', 'greeting', 'greeting.go'), `package greeting\n\nconst Text = ${JSON.stringify(dir)}\n`);
    fs.writeFileSync(path.join(dir, 'offline', 'main.go'), 'package main\n\nimport "example.com/g/offline/greeting"\n\nfunc main() { println(greeting.Text) }\n');
    const said = [];
    await buildGateway(dir, (l) => said.push(l), 1);
    assert.match(said[0], /^Building the offline gateway \(go build -o \.offline\/gateway \.\/offline; a first build/);
    assert.ok(said.some((l) => /^Building the offline gateway: \d+ s, \d+ packages compiled/.test(l)), said.join('\n'));
    assert.ok(fs.statSync(path.join(dir, '.offline', 'gateway')).isFile());

    fs.writeFileSync(path.join(dir, 'offline', 'greeting', 'greeting.go'), 'package greeting\n\nconst Text = notDeclared\n');
    const failed = [];
    await assert.rejects(buildGateway(dir, (l) => failed.push(l)), /the offline gateway did not build/);
    assert.ok(failed.some((l) => /greeting\.go:3:\d+: undefined: notDeclared/.test(l)), failed.join('\n'));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
