'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const { dependsOnImplied, referenced, roleNameProblems } = require('./template');

test('referenced names every logical id an intrinsic function names', () => {
  const cases = [
    [{ Ref: 'A' }, ['A']],
    [{ 'Fn::GetAtt': ['B', 'Arn'] }, ['B']],
    [{ 'Fn::GetAtt': 'C.Arn' }, ['C']],
    [{ 'Fn::Sub': 'arn:${AWS::Partition}:x:${D}/${E.Arn}/${!Literal}' }, ['AWS::Partition', 'D', 'E']],
    [{ 'Fn::Sub': ['${F}-${G}', { G: { Ref: 'H' } }] }, ['F', 'G', 'H']],
    [{ 'Fn::Join': ['', [{ Ref: 'I' }, '/x']] }, ['I']],
    [{ Plain: 'Ref', List: ['J', { Nested: { Ref: 'K' } }] }, ['K']],
    ['a string', []],
    [null, []],
  ];
  for (const [value, want] of cases) {
    assert.deepEqual([...referenced(value)].sort(), want.sort(), JSON.stringify(value));
  }
});

test('dependsOnImplied drops only what a reference already orders', () => {
  const template = {
    Resources: {
      Fn: {
        DependsOn: ['FnLogGroup', 'FnRole'],
        Properties: { Role: { 'Fn::GetAtt': ['FnRole', 'Arn'] } },
      },
      Permission: {
        DependsOn: 'Api',
        Properties: { SourceArn: { 'Fn::Sub': 'arn:aws:execute-api:r:a:${Api}/*' } },
      },
      Stage: { DependsOn: ['Deployment'], Properties: { ApiId: { Ref: 'Api' } } },
      Plain: { Properties: {} },
    },
  };
  assert.equal(dependsOnImplied(template), 2);
  assert.deepEqual(template.Resources.Fn.DependsOn, ['FnLogGroup']);
  assert.equal('DependsOn' in template.Resources.Permission, false);
  assert.deepEqual(template.Resources.Stage.DependsOn, ['Deployment']);
  assert.equal('DependsOn' in template.Resources.Plain, false);
});

test('roleNameProblems refuses a name IAM would', () => {
  const role = (RoleName) => ({ Type: 'AWS::IAM::Role', Properties: { RoleName } });
  const ok = 'go-websocket-api-prod-ap-northeast-1-ondisconnect';
  assert.deepEqual(roleNameProblems({ Resources: { R: role(ok), Other: { Type: 'AWS::S3::Bucket' } } }), []);
  assert.deepEqual(roleNameProblems({ Resources: { R: role('x'.repeat(64)) } }), []);
  const long = roleNameProblems({ Resources: { R: role(`go-websocket-api-${'feature'.repeat(4)}-ap-northeast-1-ondisconnect`) } });
  assert.equal(long.length, 1);
  assert.match(long[0], /^R: RoleName \S+ is 73 characters and IAM allows 64: use a shorter stage name$/);
  assert.match(roleNameProblems({ Resources: { R: role('has space') } })[0], /characters IAM refuses/);
  // A name the template leaves to CloudFormation is not this check's.
  assert.deepEqual(roleNameProblems({ Resources: { R: role({ 'Fn::Sub': '${AWS::StackName}' }) } }), []);
});
