package main

import (
	"fmt"
	"net/http"
	"strconv"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
)

// defaultConcurrency bounds the posts in flight for one message.
const defaultConcurrency = 32

// concurrency reads SEND_CONCURRENCY, the posts one message may have in
// flight: empty means the default. Anything but a positive number is
// reported and replaced by the default, so a typo slows nothing down.
func concurrency(v string) (int, error) {
	if v == "" {
		return defaultConcurrency, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		return defaultConcurrency, fmt.Errorf("SEND_CONCURRENCY %q is not a positive number: using %d", v, defaultConcurrency)
	}
	return n, nil
}

// pooledClient keeps one idle connection per concurrent post, so that a
// fan-out reuses them instead of opening new ones each message.
func pooledClient(concurrency int) *awshttp.BuildableClient {
	return awshttp.NewBuildableClient().WithTransportOptions(func(t *http.Transport) {
		t.MaxIdleConnsPerHost = concurrency
	})
}
