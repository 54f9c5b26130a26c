package rehearsal

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
)

// clients reads back, with the AWS SDK, what the CLI made at endpoint.
type clients struct {
	cfn    *cloudformation.Client
	lambda *lambda.Client
	iam    *iam.Client
	ddb    *dynamodb.Client
	sqs    *sqs.Client
	logs   *cloudwatchlogs.Client
	s3     *s3.Client
	ssm    *ssm.Client
}

func newClients(t *testing.T, endpoint string) clients {
	t.Helper()
	none := t.TempDir() + "/none"
	cfg, err := config.LoadDefaultConfig(t.Context(),
		config.WithRegion(region),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("testing", "testing", "")),
		config.WithBaseEndpoint(endpoint),
		config.WithSharedConfigFiles([]string{none}),
		config.WithSharedCredentialsFiles([]string{none}),
	)
	if err != nil {
		t.Fatal(err)
	}
	return clients{
		cfn:    cloudformation.NewFromConfig(cfg),
		lambda: lambda.NewFromConfig(cfg),
		iam:    iam.NewFromConfig(cfg),
		ddb:    dynamodb.NewFromConfig(cfg),
		sqs:    sqs.NewFromConfig(cfg),
		logs:   cloudwatchlogs.NewFromConfig(cfg),
		s3:     s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }),
		ssm:    ssm.NewFromConfig(cfg),
	}
}
