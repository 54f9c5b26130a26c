'use strict';

// The project's Serverless plugin. It makes the framework's own commands do
// the whole job for this Go workspace:
//   - `serverless package` and `serverless deploy` build every function
//     first, and `serverless deploy function -f <fn>` builds <fn> alone,
//     through the workspace's one build (tools/lambdabuild);
//   - the template it writes has no DependsOn that a reference already
//     implies, and an IAM role name too long for this stage stops the
//     deploy before anything is uploaded;
//   - `serverless offline` runs the offline gateway.

const fs = require('node:fs');
const path = require('node:path');
const { build } = require('./build');
const template = require('./template');
const offline = require('./offline');

class GoWorkspace {
  constructor(serverless, options, { log }) {
    this.serverless = serverless;
    this.options = options;
    this.log = log;
    this.commands = {
      offline: {
        usage: 'Run the API on this machine, as API Gateway and Lambda would: ws://localhost:3001',
        lifecycleEvents: ['start'],
        options: offline.commandOptions(),
      },
    };
    this.hooks = {
      'before:package:createDeploymentArtifacts': () => this.build(Object.keys(this.functions())),
      'before:deploy:function:packageFunction': () => this.build([this.options.function]),
      'before:aws:package:finalize:saveServiceState': () => this.checkTemplate(),
      'offline:start': () => this.offline(),
    };
  }

  functions() {
    return this.serverless.service.functions || {};
  }

  // build builds the named functions' zips, unless the offline gateway,
  // which builds its own bootstraps and never deploys, packages with
  // --param build=off: then a missing zip gets a placeholder instead.
  async build(names) {
    const built = [];
    for (const name of names) {
      const fn = this.functions()[name];
      if (fn && fn.package && fn.package.artifact) built.push({ fn, artifact: fn.package.artifact });
    }
    if (built.length === 0) return;
    if (this.param('build') === 'off') {
      this.placeholders(built);
      return;
    }
    const serviceDir = this.serverless.serviceDir;
    const packageDir = path.resolve(serviceDir, this.options.package || this.serverless.service.package.path || '.serverless');
    const what = built.length === 1 ? built[0].artifact : `${built.length} functions`;
    this.log.notice(`Building ${what} for Lambda (linux/arm64)`);
    try {
      await build(serviceDir, built.map((b) => b.artifact), (line) => this.log.notice(line));
    } catch (err) {
      throw new this.serverless.classes.Error(`${err.message}\nNothing was packaged or deployed.`, 'GO_BUILD_FAILED');
    }
    // Each zip goes where the framework puts the zips it makes itself, the
    // package directory: the framework compares only those with the last
    // deploy's, and skips a deploy with nothing changed ("No changes to
    // deploy"). Relative, so the service's state reads the same from any
    // clone.
    fs.mkdirSync(packageDir, { recursive: true });
    for (const { fn, artifact } of built) {
      const copy = path.join(packageDir, path.basename(artifact));
      fs.copyFileSync(path.resolve(serviceDir, artifact), copy);
      fn.package.artifact = path.relative(serviceDir, copy);
    }
  }

  // placeholders writes a stand-in for each zip that is missing, for
  // packaging that only reads the template: a build for Lambda, minutes on a
  // fresh machine, that the offline gateway never runs. Nothing ships one: a
  // deploy refuses build=off, and every other build overwrites it.
  placeholders(built) {
    const command = (this.serverless.processedInput && this.serverless.processedInput.commands) || [];
    if (command[0] === 'deploy') {
      throw new this.serverless.classes.Error(
        '--param build=off packages placeholders, not the functions, for the offline gateway: it cannot deploy. Deploy without it.',
        'GO_BUILD_OFF_DEPLOY'
      );
    }
    let written = 0;
    for (const { artifact } of built) {
      const zip = path.resolve(this.serverless.serviceDir, artifact);
      if (fs.existsSync(zip)) continue;
      fs.mkdirSync(path.dirname(zip), { recursive: true });
      fs.writeFileSync(zip, `placeholder for ${artifact}: packaged with --param build=off, for the offline gateway; any build replaces it\n`);
      written++;
    }
    this.log.info(`Go build skipped (--param build=off): ${written} placeholders for missing zips`);
  }

  param(key) {
    for (const kv of [].concat(this.options.param || [])) {
      const i = String(kv).indexOf('=');
      if (i > 0 && kv.slice(0, i) === key) return kv.slice(i + 1);
    }
    return undefined;
  }

  checkTemplate() {
    const compiled = this.serverless.service.provider.compiledCloudFormationTemplate;
    template.dependsOnImplied(compiled);
    const problems = template.roleNameProblems(compiled);
    if (problems.length > 0) {
      throw new this.serverless.classes.Error(problems.join('\n'), 'IAM_ROLE_NAME');
    }
  }

  async offline() {
    const custom = this.serverless.service.custom || {};
    const env = (custom.offline && custom.offline.environment) || {};
    const args = offline.gatewayArgs(this.options, env);
    const code = await offline.run(this.serverless.serviceDir, args, (line) => this.log.notice(line));
    if (code !== 0) process.exitCode = code;
  }
}

module.exports = GoWorkspace;
