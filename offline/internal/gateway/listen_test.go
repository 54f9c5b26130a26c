package gateway

import (
	"errors"
	"net"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

func TestListenOnAPortHeldSaysHowToPickAnother(t *testing.T) {
	held, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	port := held.Addr().(*net.TCPAddr).Port

	ln, err := Listen("127.0.0.1", port)
	if err == nil {
		ln.Close()
		t.Fatalf("listened on port %d, which another listener holds", port)
	}
	if !errors.Is(err, syscall.EADDRINUSE) {
		t.Errorf("error %v, want it to wrap EADDRINUSE", err)
	}
	for _, want := range []string{"has port " + strconv.Itoa(port) + ":", "PORT=4000 make offline", `ARGS="--port 0"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q, want it to say %q", err, want)
		}
	}
}

func TestListenOnAFreePort(t *testing.T) {
	ln, err := Listen("127.0.0.1", 0)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	if port := ln.Addr().(*net.TCPAddr).Port; port == 0 {
		t.Errorf("listening on %s, want a port picked", ln.Addr())
	}
}
