package gateway

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"syscall"
)

// Listen listens on host:port. A port another program holds is the usual
// failure, most often a gateway already running, so its error says how to
// pick another.
func Listen(host string, port int) (net.Listener, error) {
	ln, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(port)))
	if errors.Is(err, syscall.EADDRINUSE) {
		return nil, fmt.Errorf("listen: %w: another program (a gateway already running?) has port %d: "+
			"pick another with PORT=4000 make offline, or make offline ARGS=\"--port 0\" for any free one", err, port)
	}
	if err != nil {
		return nil, fmt.Errorf("listen: %w", err)
	}
	return ln, nil
}
