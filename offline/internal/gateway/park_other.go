//go:build !linux

package gateway

import (
	"errors"
	"net"
	"syscall"
	"time"
)

// Elsewhere than Linux every connection keeps a reading goroutine.
type parker struct{}

type watch struct{ rc syscall.RawConn }

func parking() (*parker, error) { return nil, errors.New("parking idle connections needs epoll") }

func (*parker) park(*watch, func()) error { return errors.ErrUnsupported }

func (*parker) forget(*watch) {}

func awaitBytes(net.Conn, *watch, time.Duration) bool { return true }
