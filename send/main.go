// Command send delivers {"action":"send","to":"hanako","message":"…"} to
// every connection hanako has open, from the sender's verified identity.
package main

import (
	"context"
	"net/http"
	"os"
	"strconv"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"wsapi/shared/connections"
	"wsapi/shared/invocation"
	"wsapi/shared/logging"
	"wsapi/shared/registry"
	"wsapi/shared/tracing"
)

// defaultConcurrency bounds the posts in flight for one message.
const defaultConcurrency = 32

func main() {
	log := logging.ForFunction()
	tracing.Init(log)

	concurrency := defaultConcurrency
	if v := os.Getenv("SEND_CONCURRENCY"); v != "" {
		if n, err := strconv.Atoi(v); err == nil && n > 0 {
			concurrency = n
		} else {
			log.Warn().Str("SEND_CONCURRENCY", v).Msgf("not a positive number: using %d", concurrency)
		}
	}
	// Keep one idle connection per concurrent post, so a fan-out reuses them.
	client := awshttp.NewBuildableClient().WithTransportOptions(func(t *http.Transport) {
		t.MaxIdleConnsPerHost = concurrency
	})
	cfg, err := tracing.LoadConfig(context.Background(), config.WithHTTPClient(client))
	if err != nil {
		log.Fatal().Err(err).Send()
	}
	pool := connections.NewPool(cfg)

	h := Handler{
		Connections: func(domainName, stage string) Poster { return pool.For(domainName, stage) },
		Registry:    registry.New(dynamodb.NewFromConfig(cfg), os.Getenv("CONNECTIONS_TABLE")),
		Concurrency: concurrency,
		Now:         time.Now,
	}
	lambda.Start(invocation.Logged(log, h.Handle))
}
