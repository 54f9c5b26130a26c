'use strict';

const { spawn } = require('node:child_process');
const { lines } = require('./build');

// The offline gateway's flags that `serverless offline` takes as options,
// each --name for the gateway's -name (go run ./offline -h explains them).
// --stage, --region, --config and --param are the framework's own, passed
// on too: `serverless offline --param tracing=otel` packages the service
// as `serverless deploy --param tracing=otel` would.
const gatewayOptions = {
  port: 'string',
  host: 'string',
  'domain-name': 'multiple',
  data: 'string',
  template: 'string',
  bootstrap: 'multiple',
  package: 'string',
  bin: 'string',
  logs: 'string',
  env: 'multiple',
  'max-instances': 'string',
  'idle-timeout': 'string',
  'max-duration': 'string',
  'management-delay': 'string',
  throttle: 'boolean',
  traces: 'boolean',
  'trace-all': 'boolean',
  watch: 'boolean',
  quiet: 'boolean',
  'build-only': 'boolean',
};

// usages says what each option is for, in `serverless offline --help`.
const usages = {
  port: 'Port to listen on (default 3001, or $PORT; 0 picks a free one)',
  host: 'Address to listen on (default 127.0.0.1; 0.0.0.0 serves other machines too)',
  'domain-name': 'Another name clients reach the gateway by: host, or host:port (repeatable)',
  data: 'Keep the local DynamoDB tables in this directory between runs (default: in memory)',
  template: 'Serve this CloudFormation template as it is instead of packaging serverless.yml',
  bootstrap: 'With --template: LogicalId=path of a function bootstrap built for this machine',
  package: 'Where `serverless package` writes the template served (default .offline/package)',
  bin: 'Where the host-built bootstraps go (default .offline/bin)',
  logs: "Where each function's log file is written (default .offline/logs)",
  env: "Add KEY=VALUE to every function's environment (repeatable)",
  'max-instances': 'Instances per function at most (default 10)',
  'idle-timeout': 'Close a connection idle this long (default 10m, as API Gateway)',
  'max-duration': 'Close a connection open this long (default 2h, as API Gateway)',
  'management-delay': 'Add this delay to every @connections call',
  throttle: "Throttle each route as the stage's settings say (on; --no-throttle turns it off)",
  traces: "Print each traced invocation's X-Ray trace (on; --no-traces turns it off)",
  'trace-all': 'Trace every invocation, not the first each second and 5% of the rest',
  watch: 'Rebuild and redeploy a function when its code changes (on; --no-watch turns it off)',
  quiet: 'Print only what is served, warnings, errors and the ready line',
  'build-only': "Build every function's bootstrap for this machine, and exit",
};

function commandOptions() {
  const options = {};
  for (const [name, type] of Object.entries(gatewayOptions)) {
    options[name] = { usage: usages[name], type };
  }
  return options;
}

// gatewayArgs turns the command's options into the gateway's flags: the
// offline environment of serverless.yml (custom.offline.environment) first,
// so that an --env of the command line wins, then what the user gave.
function gatewayArgs(options, offlineEnvironment = {}) {
  const args = ['-build'];
  for (const [key, value] of Object.entries(offlineEnvironment)) {
    args.push('-env', `${key}=${value}`);
  }
  for (const name of ['stage', 'region', 'config']) {
    if (options[name] != null) args.push(`-${name}`, String(options[name]));
  }
  for (const param of [].concat(options.param || [])) args.push('-param', String(param));
  for (const [name, type] of Object.entries(gatewayOptions)) {
    const value = options[name];
    if (value == null) continue;
    if (type === 'boolean') args.push(`-${name}=${value === true}`);
    else for (const v of [].concat(value)) args.push(`-${name}`, String(v));
  }
  return args;
}

// fatalSignalsCaught is which of SIGHUP, SIGINT and SIGTERM the process
// catches, as a bit mask (Linux's /proc/<pid>/status SigCgt), or null where
// it cannot be read.
function fatalSignalsCaught(pid) {
  let status;
  try {
    status = require('node:fs').readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return null;
  }
  const m = /^SigCgt:\s*([0-9a-f]+)$/m.exec(status);
  if (!m) return null;
  const fatal = (1n << 0n) | (1n << 1n) | (1n << 14n); // SIGHUP 1, SIGINT 2, SIGTERM 15
  return Number(BigInt(`0x${m[1]}`) & fatal);
}

// sameSignalWithin: one Ctrl-C reaches this process more than once (from
// the terminal, and again from npx, which passes signals on to its child);
// repeats this close together are that one press. A later one is a second
// press, which stops the gateway at once.
const sameSignalWithin = 1000;

// run builds the gateway and runs it until it exits, with the gateway in
// its own process group so that a Ctrl-C reaches it once, through here.
// It resolves with the gateway's exit code.
async function run(serviceDir, args, notice) {
  await buildGateway(serviceDir, notice);
  return new Promise((resolve, reject) => {
    const gateway = spawn('.offline/gateway', args, { cwd: serviceDir, stdio: 'inherit', detached: true });
    let last = 0;
    const forward = (signal) => {
      const now = Date.now();
      if (now - last < sameSignalWithin) return;
      last = now;
      gateway.kill(signal === 'SIGHUP' ? 'SIGTERM' : signal);
    };
    const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'];
    for (const s of signals) process.on(s, forward);
    // Started by make, stop with it: make passes no SIGINT on (it resets its
    // handler and waits for this process, then re-raises the signal), and
    // its death passes nothing on. So watch it, as the gateway watches us
    // (offline/internal/childproc): gone, or no longer catching a signal it
    // caught, is the sign.
    const parent = process.ppid;
    const caught = fatalSignalsCaught(parent);
    const orphaned = setInterval(() => {
      const now = fatalSignalsCaught(parent);
      if (process.ppid !== parent || (now !== null && caught !== null && (now & caught) !== caught)) {
        forward('SIGINT');
      }
    }, 250);
    gateway.on('error', reject);
    gateway.on('close', (code, signal) => {
      clearInterval(orphaned);
      for (const s of signals) process.removeListener(s, forward);
      resolve(code == null ? 128 + (require('node:os').constants.signals[signal] || 0) : code);
    });
  });
}

// statusEvery is how long the gateway's build may go without a line before
// one says how far it is: a first build compiles its dependencies for a
// minute or more, and a silent terminal looks hung.
const statusEvery = 5000;

// buildGateway builds the gateway into .offline/gateway with go build -v,
// which names each package as it compiles it: the go command's other lines
// (a compiler's errors) pass through, and whenever nothing was printed for
// every ms a line says how far the build is.
function buildGateway(serviceDir, notice, every = statusEvery) {
  notice('Building the offline gateway (go build -o .offline/gateway ./offline; a first build compiles its dependencies and the standard library: a minute or two)');
  const start = Date.now();
  let compiled = 0;
  let latest = '';
  let last = start;
  const say = (text) => {
    last = Date.now();
    notice(text);
  };
  return new Promise((resolve, reject) => {
    // CGO_ENABLED=0, as the functions' host build: the standard library a
    // first build compiles for the gateway then serves the functions too.
    const b = spawn('go', ['build', '-v', '-o', '.offline/gateway', './offline'], {
      cwd: serviceDir,
      env: { ...process.env, CGO_ENABLED: '0' },
      stdio: ['ignore', 'inherit', 'pipe'],
    });
    lines(b.stderr, (line) => {
      if (/^[^\s:#]+$/.test(line)) {
        compiled++;
        latest = line;
      } else {
        say(line);
      }
    });
    const status = setInterval(() => {
      if (Date.now() - last < every) return;
      const took = Math.round((Date.now() - start) / 1000);
      say(`Building the offline gateway: ${took} s, ${compiled} packages compiled${latest ? ` (last: ${latest})` : ''}`);
    }, every / 5);
    b.on('error', (err) => {
      clearInterval(status);
      reject(new Error(`cannot run go (${err.message}): Go 1.26 or newer must be on PATH`));
    });
    b.on('close', (code) => {
      clearInterval(status);
      if (code === 0) resolve();
      else reject(new Error('the offline gateway did not build (above)'));
    });
  });
}

module.exports = {
  gatewayOptions,
  commandOptions,
  gatewayArgs,
  run,
  buildGateway,
  sameSignalWithin,
  fatalSignalsCaught,
};
