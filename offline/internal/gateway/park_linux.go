package gateway

import (
	"errors"
	"fmt"
	"maps"
	"net"
	"os"
	"slices"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// A goroutine blocked reading an idle connection keeps a stack of a few KB.
// The parker instead watches every idle connection's socket with one epoll
// instance of its own: the reading goroutine ends when a client goes quiet,
// and a new one starts when bytes (or a close) arrive. Go's own poller keeps
// serving the reads; this one only says when to start one.
type parker struct {
	epfd int

	mu      sync.Mutex
	waiting map[uint64]func() // by watch key: what to run once readable
	next    uint64
	broken  error // epoll failed: nothing parks any more
}

// parking is the process's parker, started on first use and kept, like
// Go's own poller, for the life of the process.
var parking = sync.OnceValues(func() (*parker, error) {
	fd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil, err
	}
	p := &parker{epfd: fd, waiting: make(map[uint64]func())}
	go p.run()
	return p, nil
})

// watch is one connection's registration with the parker.
type watch struct {
	rc    syscall.RawConn
	key   uint64 // 0 until first parked
	added bool
}

// park calls wake once w's socket can be read (bytes, EOF or an error),
// from the parker's goroutine: wake must not block. It returns an error when the socket cannot be
// watched, e.g. because it is closed; the caller then reads it itself.
func (p *parker) park(w *watch, wake func()) error {
	p.mu.Lock()
	if p.broken != nil {
		p.mu.Unlock()
		return p.broken
	}
	if w.key == 0 {
		p.next++
		w.key = p.next
	}
	op := unix.EPOLL_CTL_MOD
	if !w.added {
		op, w.added = unix.EPOLL_CTL_ADD, true
	}
	// Set under the lock the wake is later taken under: the next reader
	// sees it.
	p.waiting[w.key] = wake
	p.mu.Unlock()

	ev := unix.EpollEvent{Events: unix.EPOLLIN | unix.EPOLLRDHUP | unix.EPOLLONESHOT, Fd: int32(uint32(w.key)), Pad: int32(uint32(w.key >> 32))}
	var ctlErr error
	err := w.rc.Control(func(fd uintptr) {
		// Level-triggered and one-shot: arming checks readiness at once, so
		// bytes that arrived before this call still wake.
		ctlErr = unix.EpollCtl(p.epfd, op, int(fd), &ev)
		if op == unix.EPOLL_CTL_MOD && errors.Is(ctlErr, unix.ENOENT) {
			ctlErr = unix.EpollCtl(p.epfd, unix.EPOLL_CTL_ADD, int(fd), &ev)
		}
	})
	if err == nil {
		err = ctlErr
	}
	if err != nil {
		p.forget(w)
		return err
	}
	return nil
}

// forget drops w's pending wake; its socket leaves the epoll set when it is
// closed.
func (p *parker) forget(w *watch) {
	p.mu.Lock()
	delete(p.waiting, w.key)
	p.mu.Unlock()
}

func (p *parker) run() {
	events := make([]unix.EpollEvent, 256)
	for {
		n, err := unix.EpollWait(p.epfd, events, -1)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			// Never seen with a valid epoll fd; should it happen, every parked
			// connection goes back to a reading goroutine of its own.
			p.mu.Lock()
			p.broken = fmt.Errorf("epoll_wait: %w", err)
			wakes := slices.Collect(maps.Values(p.waiting))
			clear(p.waiting)
			p.mu.Unlock()
			for _, wake := range wakes {
				wake()
			}
			return
		}
		for _, ev := range events[:n] {
			key := uint64(uint32(ev.Fd)) | uint64(uint32(ev.Pad))<<32
			p.mu.Lock()
			wake := p.waiting[key]
			delete(p.waiting, key)
			p.mu.Unlock()
			if wake != nil {
				wake()
			}
		}
	}
}

// awaitBytes waits, in Go's own poller, up to d for w's socket to have
// bytes to read (or to close), and reports whether it does. A connection
// that has just sent a message often sends the next soon: waiting here
// for it costs less than a trip through the parker.
func awaitBytes(conn net.Conn, w *watch, d time.Duration) bool {
	if err := conn.SetReadDeadline(time.Now().Add(d)); err != nil {
		return true // closed: the reader finds out
	}
	defer conn.SetReadDeadline(time.Time{})
	// Returning false makes Read wait for readability, then call again.
	err := w.rc.Read(func(fd uintptr) bool {
		var b [1]byte
		_, _, err := unix.Recvfrom(int(fd), b[:], unix.MSG_PEEK|unix.MSG_DONTWAIT)
		return !errors.Is(err, unix.EAGAIN)
	})
	return !errors.Is(err, os.ErrDeadlineExceeded)
}
