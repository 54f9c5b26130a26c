package e2e

import (
	"context"
	"encoding/json"
	"regexp"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/apigatewaymanagementapi"
)

// The ready banner shows an AWS CLI call to @connections; its credentials,
// region and endpoint must reach a connection as printed.
var cliLine = regexp.MustCompile(`AWS_ACCESS_KEY_ID=(\S+) AWS_SECRET_ACCESS_KEY=(\S+) aws apigatewaymanagementapi post-to-connection ` +
	`--region (\S+) --endpoint-url (\S+) --connection-id <id> --data `)

func TestBannerCallReachesAConnection(t *testing.T) {
	t.Parallel()
	g := sharedGateway(t)
	m := cliLine.FindStringSubmatch(g.output())
	if m == nil {
		t.Fatalf("the banner shows no AWS CLI call to @connections:\n%s", g.output())
	}
	keyID, secret, region, endpoint := m[1], m[2], m[3], m[4]

	c := g.dial(t, "taro", "")
	// A message no route takes answers with the connection's id.
	var forbidden struct{ ConnectionID string }
	if err := json.Unmarshal([]byte(send(t, c, "who am I")), &forbidden); err != nil || forbidden.ConnectionID == "" {
		t.Fatalf("no connection id in the Forbidden frame: %v", err)
	}

	// The AWS SDK signs as the CLI does, with whatever key it is given.
	client := apigatewaymanagementapi.New(apigatewaymanagementapi.Options{
		Region:       region,
		BaseEndpoint: aws.String(endpoint),
		Credentials:  credentials.NewStaticCredentialsProvider(keyID, secret, ""),
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := client.PostToConnection(ctx, &apigatewaymanagementapi.PostToConnectionInput{
		ConnectionId: aws.String(forbidden.ConnectionID),
		Data:         []byte(`{"message":"hi"}`),
	}); err != nil {
		t.Fatalf("the banner's call as printed: %v", err)
	}
	_, got, err := c.Read(ctx)
	if err != nil || string(got) != `{"message":"hi"}` {
		t.Fatalf("the connection got %q, %v; want the posted data", got, err)
	}
}
