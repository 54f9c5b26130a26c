package main

import (
	"fmt"
	"net/http"
	"strconv"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
)

// defaultConcurrency is the posts one worker has in flight; serverless.yml
// sets FANOUT_CONCURRENCY and says how it bounds the account's rate.
const defaultConcurrency = 25

// concurrency reads FANOUT_CONCURRENCY: empty means the default; anything
// but a positive number is reported and replaced by the default.
func concurrency(v string) (int, error) {
	if v == "" {
		return defaultConcurrency, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		return defaultConcurrency, fmt.Errorf("FANOUT_CONCURRENCY %q is not a positive number: using %d", v, defaultConcurrency)
	}
	return n, nil
}

// pooledClient keeps one idle connection per concurrent post.
func pooledClient(concurrency int) *awshttp.BuildableClient {
	return awshttp.NewBuildableClient().WithTransportOptions(func(t *http.Transport) {
		t.MaxIdleConnsPerHost = concurrency
	})
}
