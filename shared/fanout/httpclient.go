package fanout

import (
	"net/http"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
)

// HTTPClient keeps one idle connection per concurrent post, so that a
// fan-out reuses them instead of opening new ones: the SDK's default pool
// keeps 10 a host.
func HTTPClient(concurrency int) *awshttp.BuildableClient {
	return awshttp.NewBuildableClient().WithTransportOptions(func(t *http.Transport) {
		t.MaxIdleConnsPerHost = concurrency
	})
}
