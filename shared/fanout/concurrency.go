package fanout

import (
	"fmt"
	"net/http"
	"os"
	"strconv"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
)

// ConcurrencyFromEnv reads the posts in flight a function allows from the
// environment variable name: unset or empty means def. Anything but a
// positive number is reported and replaced by def, so that a typo slows
// nothing down.
func ConcurrencyFromEnv(name string, def int) (int, error) {
	v := os.Getenv(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		return def, fmt.Errorf("%s %q is not a positive number: using %d", name, v, def)
	}
	return n, nil
}

// HTTPClient keeps one idle connection per concurrent post, so that a
// fan-out reuses them instead of opening new ones: the SDK's default pool
// keeps 10 a host.
func HTTPClient(concurrency int) *awshttp.BuildableClient {
	return awshttp.NewBuildableClient().WithTransportOptions(func(t *http.Transport) {
		t.MaxIdleConnsPerHost = concurrency
	})
}
