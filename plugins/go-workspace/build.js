'use strict';

const { spawn } = require('node:child_process');

// build runs the workspace's one Lambda build (tools/lambdabuild) for the
// given artifacts (bin/<fn>.zip) in the service's directory. Each line the
// build prints goes to line as it comes; a build that fails rejects with
// the compiler's output, file:line first, and nothing is zipped.
function build(serviceDir, artifacts, line, env = process.env) {
  return new Promise((resolve, reject) => {
    const child = spawn('go', ['run', './tools/lambdabuild', ...artifacts], {
      cwd: serviceDir,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const errors = [];
    lines(child.stdout, line);
    // go run adds its own "exit status 1" to the tool's words: left out.
    lines(child.stderr, (text) => {
      if (!/^exit status \d+$/.test(text)) errors.push(text);
    });
    child.on('error', (err) =>
      reject(new Error(`cannot run go (${err.message}): Go 1.26 or newer must be on PATH to build the functions`))
    );
    child.on('close', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(errors.join('\n') || `go run ./tools/lambdabuild ended with ${signal || `exit ${code}`}`));
    });
  });
}

// lines calls each with every non-empty line of stream as it comes.
function lines(stream, each) {
  let rest = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk) => {
    const parts = (rest + chunk).split('\n');
    rest = parts.pop();
    for (const p of parts) if (p.trim() !== '') each(p);
  });
  stream.on('end', () => {
    if (rest.trim() !== '') each(rest);
  });
}

module.exports = { build, lines };
