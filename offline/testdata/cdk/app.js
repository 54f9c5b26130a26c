// A CDK app as a user writes one: a WebSocket API whose $connect,
// $disconnect and hello routes each call a Lambda function, with no
// FunctionName, so that CloudFormation names them. The offline gateway's
// tests serve its synthesised template, cdk.template.json.
const cdk = require('aws-cdk-lib');
const lambda = require('aws-cdk-lib/aws-lambda');
const apigwv2 = require('aws-cdk-lib/aws-apigatewayv2');
const { WebSocketLambdaIntegration } = require('aws-cdk-lib/aws-apigatewayv2-integrations');

const app = new cdk.App();
const stack = new cdk.Stack(app, 'HelloStack');

// The code is a placeholder: the gateway runs a bootstrap built for this
// machine, named with -bootstrap LogicalId=path.
const fn = (id) => new lambda.Function(stack, id, {
  runtime: lambda.Runtime.PROVIDED_AL2023,
  architecture: lambda.Architecture.ARM_64,
  handler: 'bootstrap',
  code: lambda.Code.fromAsset(`${__dirname}/handler`),
});

const api = new apigwv2.WebSocketApi(stack, 'Chat', {
  connectRouteOptions: { integration: new WebSocketLambdaIntegration('Connect', fn('OnConnect')) },
  disconnectRouteOptions: { integration: new WebSocketLambdaIntegration('Disconnect', fn('OnDisconnect')) },
});
api.addRoute('hello', { integration: new WebSocketLambdaIntegration('Hello', fn('Hello')) });
new apigwv2.WebSocketStage(stack, 'Dev', { webSocketApi: api, stageName: 'dev', autoDeploy: true });
