package probe

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"regexp"
)

// ErrNoEndpoint: `serverless info` printed no WebSocket endpoint (the stage
// is not deployed, or the output is not `serverless info`'s).
var ErrNoEndpoint = errors.New("no wss:// endpoint in the output of serverless info")

var (
	endpointRE = regexp.MustCompile(`wss://[^\s"']+`)
	ansiRE     = regexp.MustCompile("\x1b\\[[0-9;]*m")
)

// EndpointFromInfo reads the output of `serverless info` and returns the
// WebSocket endpoint it lists, from the stack's ServiceEndpointWebsocket
// output, e.g. from the line
//
//	endpoint: wss://abc123.execute-api.ap-northeast-1.amazonaws.com/prod
func EndpointFromInfo(r io.Reader) (string, error) {
	var found []string
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := ansiRE.ReplaceAllString(sc.Text(), "")
		found = append(found, endpointRE.FindAllString(line, -1)...)
	}
	if err := sc.Err(); err != nil {
		return "", fmt.Errorf("reading serverless info: %w", err)
	}
	switch len(found) {
	case 0:
		return "", ErrNoEndpoint
	case 1:
		return found[0], nil
	}
	return "", fmt.Errorf("serverless info lists %d WebSocket endpoints %q: give one with -url", len(found), found)
}
