package cloudformation

import (
	"fmt"
	"hash/fnv"
	"strings"
)

// The return values of Ref and Fn::GetAtt, type by type, as each resource
// type's page of the CloudFormation reference documents them.

// nameProperty is the property that names a resource, where its Ref (or
// its ARN) is built from that name; CloudFormation makes a name up when it
// is not set.
var nameProperty = map[string]string{
	"AWS::Lambda::Function":    "FunctionName",
	"AWS::DynamoDB::Table":     "TableName",
	"AWS::IAM::Role":           "RoleName",
	"AWS::Logs::LogGroup":      "LogGroupName",
	"AWS::S3::Bucket":          "BucketName",
	"AWS::SQS::Queue":          "QueueName",
	"AWS::SNS::Topic":          "TopicName",
	"AWS::SSM::Parameter":      "Name",
	"AWS::ApiGatewayV2::Stage": "StageName",
}

// name is a resource's physical name: its name property resolved, or one
// made up as CloudFormation makes them, {stack}-{logical id}-{suffix}.
func (r *resolver) name(id string, res resource) string {
	if n, ok := r.names[id]; ok {
		return n
	}
	if r.resolving[id] {
		r.fail("%s names itself through %s", id, nameProperty[res.Type])
		return ""
	}
	r.resolving[id] = true
	defer delete(r.resolving, id)
	var n string
	if v, ok := res.Properties[nameProperty[res.Type]]; ok && nameProperty[res.Type] != "" {
		resolved, err := r.resolve(id, v)
		if err != nil {
			return ""
		}
		n = scalar(resolved)
	} else {
		n = fmt.Sprintf("%s-%s-%s", r.opts.StackName, id, physicalSuffix(id))
		if res.Type == "AWS::S3::Bucket" {
			n = strings.ToLower(n) // bucket names are lower case
		}
	}
	r.names[id] = n
	return n
}

// physicalID is the id AWS assigns a resource that has no name, such as an
// API's ApiId: ten lower-case letters and digits, stable for a logical id.
func physicalID(stack, id string) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	h := fnv.New32a()
	h.Write([]byte(stack + "/" + id))
	x := h.Sum32()
	out := make([]byte, 10)
	for i := range out {
		out[i] = alphabet[x%uint32(len(alphabet))]
		x = x*1103515245 + 12345
	}
	return string(out)
}

// physicalSuffix is the random-looking suffix of a made-up name.
func physicalSuffix(id string) string {
	return strings.ToUpper(physicalID("suffix", id)) + "XYZ"
}

func refValue(r *resolver, id string, res resource) any {
	switch res.Type {
	case "AWS::ApiGatewayV2::Api", "AWS::ApiGatewayV2::Route", "AWS::ApiGatewayV2::Integration",
		"AWS::ApiGatewayV2::Authorizer", "AWS::ApiGatewayV2::RouteResponse", "AWS::ApiGatewayV2::Deployment",
		"AWS::ApiGatewayV2::IntegrationResponse":
		return physicalID(r.opts.StackName, id)
	case "AWS::SQS::Queue":
		return fmt.Sprintf("https://sqs.%s.%s/%s/%s", r.opts.Region, r.urlSuffix(), r.opts.AccountID, r.name(id, res))
	case "AWS::SNS::Topic":
		return r.arn("sns", r.name(id, res))
	case "AWS::Lambda::Version":
		fn, _ := r.resolve(id, res.Properties["FunctionName"])
		return r.functionARN(scalar(fn)) + ":1"
	}
	return r.name(id, res)
}

func attValue(r *resolver, id string, res resource, attr string) (any, bool) {
	name := func() string { return r.name(id, res) }
	switch res.Type + "." + attr {
	case "AWS::Lambda::Function.Arn":
		return r.functionARN(name()), true
	case "AWS::DynamoDB::Table.Arn":
		return r.arn("dynamodb", "table/"+name()), true
	case "AWS::DynamoDB::Table.StreamArn":
		return r.arn("dynamodb", "table/"+name()+"/stream/1970-01-01T00:00:00.000"), true
	case "AWS::IAM::Role.Arn":
		return fmt.Sprintf("arn:%s:iam::%s:role/%s", r.partition(), r.opts.AccountID, name()), true
	case "AWS::IAM::Role.RoleId":
		return "AROA" + strings.ToUpper(physicalID(r.opts.StackName, id)), true
	case "AWS::Logs::LogGroup.Arn":
		return r.arn("logs", "log-group:"+name()+":*"), true
	case "AWS::S3::Bucket.Arn":
		return fmt.Sprintf("arn:%s:s3:::%s", r.partition(), name()), true
	case "AWS::S3::Bucket.DomainName":
		return name() + ".s3." + r.urlSuffix(), true
	case "AWS::SQS::Queue.Arn":
		return r.arn("sqs", name()), true
	case "AWS::SQS::Queue.QueueName":
		return name(), true
	case "AWS::SQS::Queue.QueueUrl":
		return refValue(r, id, res), true
	case "AWS::SNS::Topic.TopicArn":
		return r.arn("sns", name()), true
	case "AWS::SNS::Topic.TopicName":
		return name(), true
	case "AWS::ApiGatewayV2::Api.ApiId":
		return physicalID(r.opts.StackName, id), true
	case "AWS::ApiGatewayV2::Api.ApiEndpoint":
		if r.opts.APIEndpoint != "" {
			return r.opts.APIEndpoint, true
		}
		return fmt.Sprintf("wss://%s.execute-api.%s.%s", physicalID(r.opts.StackName, id), r.opts.Region, r.urlSuffix()), true
	case "AWS::ApiGatewayV2::Authorizer.AuthorizerId":
		return physicalID(r.opts.StackName, id), true
	case "AWS::ApiGatewayV2::Integration.IntegrationId":
		return physicalID(r.opts.StackName, id), true
	case "AWS::ApiGatewayV2::Route.RouteId":
		return physicalID(r.opts.StackName, id), true
	case "AWS::SSM::Parameter.Type", "AWS::SSM::Parameter.Value":
		v, _ := r.resolve(id, res.Properties[attr])
		return scalar(v), true
	}
	return nil, false
}

func (r *resolver) urlSuffix() string {
	v, _ := r.pseudo("AWS::URLSuffix")
	return v.(string)
}

func (r *resolver) arn(service, resource string) string {
	return fmt.Sprintf("arn:%s:%s:%s:%s:%s", r.partition(), service, r.opts.Region, r.opts.AccountID, resource)
}

func (r *resolver) functionARN(name string) string {
	if strings.HasPrefix(name, "arn:") {
		return name
	}
	return r.arn("lambda", "function:"+name)
}
