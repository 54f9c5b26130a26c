package connections

import (
	"bytes"
	"io"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/service/apigatewaymanagementapi"
)

// oneWrite hands net/http each request body as the in-memory reader it
// is. The SDK's body wrapper hides that, so net/http flushes the headers
// on their own before the body: two writes, two TCP segments (two TLS
// records against API Gateway), and the server waits on the second. The
// data is at most 128 KB and already in memory.
type oneWrite struct {
	next apigatewaymanagementapi.HTTPClient
}

func (c oneWrite) Do(req *http.Request) (*http.Response, error) {
	if req.Body != nil && req.Body != http.NoBody && req.ContentLength > 0 && req.ContentLength <= MaxPayloadBytes {
		data := make([]byte, req.ContentLength)
		_, err := io.ReadFull(req.Body, data)
		_ = req.Body.Close()
		if err != nil {
			return nil, err
		}
		req.Body = io.NopCloser(bytes.NewReader(data))
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }
	}
	return c.next.Do(req)
}
