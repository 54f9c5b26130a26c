// Package slsconfig reads the project's serverless.yml, the one place where
// the functions, their WebSocket routes, environment, memory and timeouts
// are declared, so that the offline gateway runs what `serverless deploy`
// would deploy. Load resolves the framework's variables the way the
// Serverless Framework (v3, osls) does for the parts it reads: ${self:...},
// ${sls:stage}, ${opt:stage}, ${opt:region}, ${env:...}, ${aws:region},
// fallbacks such as ${opt:stage, 'dev'}, nested and embedded variables.
// Variables only AWS can answer (${ssm:...}, ${cf:...}, ${aws:accountId},
// ${file(...)}, ...) are left as written and reported in Config.Warnings,
// unless a fallback answers them. CloudFormation's own ${AWS::Region} in a
// Fn::Sub is not a variable and stays as it is. Errors name the file, the
// line and the key path, like
//
//	serverless.yml:23: functions.hello.timeout: want a number of seconds, got "ten"
package slsconfig
