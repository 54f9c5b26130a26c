'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const GoWorkspace = require('./index');

const root = path.resolve(__dirname, '..', '..');

class ServerlessError extends Error {
  constructor(message, code) {
    super(message);
    this.code = code;
  }
}

// plugin makes the plugin on a service of the given functions, as the
// framework would, and collects what it logs.
function plugin(functions, options = {}, serviceDir = root) {
  const lines = [];
  const log = { notice: (l) => lines.push(l), info: (l) => lines.push(l), warning: (l) => lines.push(l) };
  const serverless = {
    serviceDir,
    classes: { Error: ServerlessError },
    service: { functions, package: {}, custom: {}, provider: {} },
  };
  return { p: new GoWorkspace(serverless, options, { log }), lines, serverless };
}

test('deploy function builds that function alone, into the package directory', async () => {
  const pkg = fs.mkdtempSync(path.join(os.tmpdir(), 'go-workspace-'));
  try {
    const functions = {
      hello: { package: { artifact: 'bin/hello.zip' } },
      send: { package: { artifact: 'bin/send.zip' } },
    };
    const { p, lines } = plugin(functions, { function: 'hello', package: pkg });
    await p.hooks['before:deploy:function:packageFunction']();
    assert.ok(lines.some((l) => /^built 1 for Lambda/.test(l)), lines.join('\n'));
    assert.deepEqual(fs.readdirSync(pkg), ['hello.zip']);
    assert.deepEqual(fs.readFileSync(path.join(pkg, 'hello.zip')), fs.readFileSync(path.join(root, 'bin/hello.zip')));
    // Relative to the service, so that the state reads the same anywhere.
    assert.equal(functions.hello.package.artifact, path.relative(root, path.join(pkg, 'hello.zip')));
    assert.equal(functions.send.package.artifact, 'bin/send.zip');
  } finally {
    fs.rmSync(pkg, { recursive: true, force: true });
  }
});

test('--param build=off builds nothing: a placeholder stands for a missing zip, and a deploy refuses it', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'go-workspace-'));
  try {
    fs.mkdirSync(path.join(dir, 'bin'));
    fs.writeFileSync(path.join(dir, 'bin', 'built.zip'), 'a real zip');
    const functions = { nope: { package: { artifact: 'bin/nope.zip' } }, built: { package: { artifact: 'bin/built.zip' } } };
    const { p, lines, serverless } = plugin(functions, { param: ['tracing=otel', 'build=off'] }, dir);
    serverless.processedInput = { commands: ['package'] };
    await p.hooks['before:package:createDeploymentArtifacts']();
    assert.equal(functions.nope.package.artifact, 'bin/nope.zip');
    assert.match(fs.readFileSync(path.join(dir, 'bin', 'nope.zip'), 'utf8'), /^placeholder for bin\/nope\.zip/);
    assert.equal(fs.readFileSync(path.join(dir, 'bin', 'built.zip'), 'utf8'), 'a real zip', 'a zip that exists is left');
    assert.deepEqual(fs.readdirSync(path.join(dir, 'bin')).sort(), ['built.zip', 'nope.zip'], 'nothing built');
    assert.match(lines.join('\n'), /Go build skipped .*1 placeholders/);

    serverless.processedInput = { commands: ['deploy'] };
    await assert.rejects(p.hooks['before:package:createDeploymentArtifacts'](), (err) => {
      assert.equal(err.code, 'GO_BUILD_OFF_DEPLOY');
      return true;
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a build that fails stops the command with the reason', async () => {
  const { p } = plugin({ nope: { package: { artifact: 'bin/nope.zip' } } });
  await assert.rejects(p.hooks['before:package:createDeploymentArtifacts'](), (err) => {
    assert.ok(err instanceof ServerlessError);
    assert.equal(err.code, 'GO_BUILD_FAILED');
    assert.match(err.message, /function nope: its module nope\/ is missing/);
    assert.match(err.message, /Nothing was packaged or deployed\.$/);
    assert.doesNotMatch(err.message, /exit status/);
    return true;
  });
});

test('the template check tidies DependsOn and refuses a role name IAM would', () => {
  const { p, serverless } = plugin({});
  const tooLong = 'r'.repeat(65);
  serverless.service.provider.compiledCloudFormationTemplate = {
    Resources: {
      Fn: { DependsOn: ['FnRole'], Properties: { Role: { 'Fn::GetAtt': ['FnRole', 'Arn'] } } },
      FnRole: { Type: 'AWS::IAM::Role', Properties: { RoleName: tooLong } },
    },
  };
  assert.throws(() => p.hooks['before:aws:package:finalize:saveServiceState'](), (err) => {
    assert.equal(err.code, 'IAM_ROLE_NAME');
    assert.match(err.message, /FnRole: RoleName r+ is 65 characters/);
    return true;
  });
  assert.equal('DependsOn' in serverless.service.provider.compiledCloudFormationTemplate.Resources.Fn, false);
});
