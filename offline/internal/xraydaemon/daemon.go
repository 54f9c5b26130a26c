package xraydaemon

import (
	"container/heap"
	"container/list"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"wsapi/offline/internal/xraydaemon/xraytrace"
)

// Defaults for the zero Config.
const (
	defaultSettle    = 100 * time.Millisecond
	defaultMaxWait   = 5 * time.Second
	defaultMaxAge    = 15 * time.Minute
	defaultMaxTraces = 10_000
)

// maxSegmentsPerTrace bounds one trace; the SDK streams subsegments in
// batches of 20, so a real invocation stays far below it.
const maxSegmentsPerTrace = 1000

// recentTraces is how many delivered trace ids are remembered, so that a
// datagram arriving after its trace was delivered is counted as late instead
// of opening a trace that would never complete.
const recentTraces = 1024

// Config tunes when a trace counts as complete and how much is held.
// Zero fields take their defaults.
type Config struct {
	// Settle is how long a trace must go without a datagram, after its
	// function segment was recorded, before it is delivered (100 ms).
	Settle time.Duration
	// MaxWait bounds the wait after the function segment was recorded, for
	// a trace whose datagrams keep coming (5 s).
	MaxWait time.Duration
	// MaxAge drops a trace whose function segment is never recorded
	// (15 min, Lambda's longest timeout).
	MaxAge time.Duration
	// MaxTraces caps the traces held; the oldest is dropped to make room
	// (10,000).
	MaxTraces int
	// OnComplete receives each completed trace, one at a time, on the
	// daemon's goroutine; a slow OnComplete delays later traces, never
	// Record or the reading of datagrams. It must not call Close.
	OnComplete func(*xraytrace.Trace)
	// OnMalformed is told, on the same goroutine, why the first datagram
	// the daemon could not read was refused; later ones are only counted
	// (Stats.Malformed), so a sender that keeps sending them cannot flood
	// the output.
	OnMalformed func(error)
}

// Stats counts what the daemon did with its input.
type Stats struct {
	Datagrams int // received
	Malformed int // datagrams neither a valid segment document nor OTLP spans
	// Unsampled are datagrams of OpenTelemetry spans of a trace Lambda did
	// not sample (T1U), dropped as the daemon drops them.
	Unsampled int
	Completed int // traces delivered to OnComplete
	// DroppedTraces were never delivered: their function segment was not
	// recorded within MaxAge, or they were the oldest when MaxTraces was hit.
	DroppedTraces int
	// DroppedSegments were refused: over a trace's limit, or late for a
	// trace already delivered.
	DroppedSegments int
}

// Daemon receives segment documents over UDP and assembles traces.
type Daemon struct {
	cfg  Config
	conn *net.UDPConn

	mu      sync.Mutex
	closed  bool
	traces  map[string]*pending
	age     *list.List // *pending, oldest first, for eviction
	due     deadlines
	recent  map[string]bool
	recentQ []string // ring over recent, oldest at recentN % len
	recentN int
	stats   Stats
	// malformed is why the first malformed datagram was refused, until
	// OnMalformed is told.
	malformed error

	wake      chan struct{}
	quit      chan struct{}
	readDone  chan struct{}
	schedDone chan struct{}
	closeOnce sync.Once
	closeErr  error
}

// pending is a trace still being collected.
type pending struct {
	id       string
	entries  map[string]*entry
	dropped  int
	first    time.Time
	last     time.Time // last datagram or Record
	recorded time.Time // first Record; zero until then
	deadline time.Time
	index    int // in Daemon.due
	elem     *list.Element
}

// Listen starts a daemon on the UDP address addr, such as "127.0.0.1:2000"
// or "127.0.0.1:0" for any free port.
func Listen(addr string, cfg Config) (*Daemon, error) {
	ua, err := net.ResolveUDPAddr("udp", addr)
	if err != nil {
		return nil, fmt.Errorf("xray daemon: resolve %q: %w", addr, err)
	}
	conn, err := net.ListenUDP("udp", ua)
	if err != nil {
		return nil, fmt.Errorf("xray daemon: listen %q: %w", addr, err)
	}
	// Bursts from several functions at once would overflow the default
	// buffer and be lost; the kernel caps this at net.core.rmem_max, and a
	// smaller buffer only costs datagrams, so the error is not fatal.
	_ = conn.SetReadBuffer(1 << 20)
	if cfg.Settle <= 0 {
		cfg.Settle = defaultSettle
	}
	if cfg.MaxWait <= 0 {
		cfg.MaxWait = defaultMaxWait
	}
	if cfg.MaxAge <= 0 {
		cfg.MaxAge = defaultMaxAge
	}
	if cfg.MaxTraces <= 0 {
		cfg.MaxTraces = defaultMaxTraces
	}
	d := &Daemon{
		cfg:       cfg,
		conn:      conn,
		traces:    make(map[string]*pending),
		age:       list.New(),
		recent:    make(map[string]bool, recentTraces),
		recentQ:   make([]string, 0, recentTraces),
		wake:      make(chan struct{}, 1),
		quit:      make(chan struct{}),
		readDone:  make(chan struct{}),
		schedDone: make(chan struct{}),
	}
	go d.read()
	go d.schedule()
	return d, nil
}

// Addr is the bound address, host:port, for AWS_XRAY_DAEMON_ADDRESS.
func (d *Daemon) Addr() string {
	return d.conn.LocalAddr().String()
}

// Stats returns the counters so far.
func (d *Daemon) Stats() Stats {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.stats
}

// Close stops the daemon. Traces whose function segment was recorded are
// delivered before Close returns, without waiting out their settle window,
// so the last invocations before a shutdown still show; the rest are dropped.
func (d *Daemon) Close() error {
	d.closeOnce.Do(func() {
		d.mu.Lock()
		d.closed = true
		d.mu.Unlock()
		if err := d.conn.Close(); err != nil {
			d.closeErr = fmt.Errorf("xray daemon: close: %w", err)
		}
		close(d.quit)
		<-d.readDone
		<-d.schedDone

		d.mu.Lock()
		var done []*pending
		for d.due.Len() > 0 {
			p := heap.Pop(&d.due).(*pending)
			if p.recorded.IsZero() {
				d.stats.DroppedTraces++
				continue
			}
			d.stats.Completed++
			done = append(done, p)
		}
		clear(d.traces)
		d.age.Init()
		malformed := d.malformed
		d.mu.Unlock()
		if malformed != nil {
			d.cfg.OnMalformed(malformed)
		}
		d.deliver(done)
	})
	return d.closeErr
}

func (d *Daemon) read() {
	defer close(d.readDone)
	// 64 KiB holds the largest UDP payload, so no datagram is truncated.
	buf := make([]byte, 64<<10)
	for {
		n, _, err := d.conn.ReadFromUDP(buf)
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			continue
		}
		batches, err := decodeDatagram(buf[:n])
		d.mu.Lock()
		d.stats.Datagrams++
		switch {
		case errors.Is(err, errUnsampled):
			d.stats.Unsampled++
		case err != nil:
			d.stats.Malformed++
			if d.stats.Malformed == 1 && d.cfg.OnMalformed != nil {
				d.malformed = err
				d.wakeScheduler()
			}
		default:
			for _, b := range batches {
				d.add(b.traceID, b.entries, false)
			}
		}
		d.mu.Unlock()
	}
}

// add files entries under traceID. d.mu must be held.
func (d *Daemon) add(traceID string, entries []entry, record bool) {
	if d.closed {
		return
	}
	now := time.Now()
	p := d.traces[traceID]
	if p == nil {
		if !record && d.recent[traceID] {
			d.stats.DroppedSegments += len(entries)
			return
		}
		p = d.open(traceID, now)
	}
	for _, e := range entries {
		if old, ok := p.entries[e.node.ID]; ok {
			// A complete document supersedes an in-progress one with the
			// same id; the reverse would lose the end time.
			if !old.node.InProgress && e.node.InProgress {
				continue
			}
			*old = e
			continue
		}
		// The recorded segment is let in past the limit: the rest of the
		// trace hangs on it.
		if len(p.entries) >= maxSegmentsPerTrace && !record {
			p.dropped++
			d.stats.DroppedSegments++
			continue
		}
		p.entries[e.node.ID] = &e
	}
	p.last = now
	if record && p.recorded.IsZero() {
		p.recorded = now
	}
	if p.recorded.IsZero() {
		p.deadline = p.first.Add(d.cfg.MaxAge)
	} else {
		p.deadline = minTime(p.last.Add(d.cfg.Settle), p.recorded.Add(d.cfg.MaxWait))
	}
	heap.Fix(&d.due, p.index)
	d.wakeScheduler()
}

// wakeScheduler has schedule look again at what is due.
func (d *Daemon) wakeScheduler() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// open starts a trace, dropping the oldest if the daemon is full. d.mu must be held.
func (d *Daemon) open(traceID string, now time.Time) *pending {
	for len(d.traces) >= d.cfg.MaxTraces {
		old := d.age.Front().Value.(*pending)
		d.remove(old)
		d.stats.DroppedTraces++
	}
	p := &pending{id: traceID, entries: make(map[string]*entry), first: now, deadline: now.Add(d.cfg.MaxAge)}
	d.traces[traceID] = p
	p.elem = d.age.PushBack(p)
	heap.Push(&d.due, p)
	return p
}

// remove forgets p. d.mu must be held.
func (d *Daemon) remove(p *pending) {
	delete(d.traces, p.id)
	d.age.Remove(p.elem)
	heap.Remove(&d.due, p.index)
}

// schedule delivers traces as their deadlines pass. It is the only caller of
// OnComplete while the daemon runs, so deliveries never overlap.
func (d *Daemon) schedule() {
	defer close(d.schedDone)
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		d.mu.Lock()
		now := time.Now()
		var done []*pending
		for d.due.Len() > 0 && !d.due[0].deadline.After(now) {
			p := d.due[0]
			d.remove(p)
			if p.recorded.IsZero() {
				d.stats.DroppedTraces++
				continue
			}
			d.stats.Completed++
			d.remember(p.id)
			done = append(done, p)
		}
		next := time.Hour
		if d.due.Len() > 0 {
			next = d.due[0].deadline.Sub(now)
		}
		malformed := d.malformed
		d.malformed = nil
		d.mu.Unlock()

		if malformed != nil {
			d.cfg.OnMalformed(malformed)
		}
		d.deliver(done)
		timer.Reset(next)
		select {
		case <-timer.C:
		case <-d.wake:
		case <-d.quit:
			return
		}
	}
}

// remember notes a delivered trace id, forgetting the oldest. d.mu must be held.
func (d *Daemon) remember(id string) {
	if len(d.recentQ) < recentTraces {
		d.recentQ = append(d.recentQ, id)
	} else {
		i := d.recentN % recentTraces
		delete(d.recent, d.recentQ[i])
		d.recentQ[i] = id
	}
	d.recentN++
	d.recent[id] = true
}

func (d *Daemon) deliver(done []*pending) {
	if d.cfg.OnComplete == nil {
		return
	}
	for _, p := range done {
		d.cfg.OnComplete(buildTrace(p.id, p.entries, p.dropped))
	}
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// deadlines is a min-heap of pending traces by deadline.
type deadlines []*pending

func (h deadlines) Len() int           { return len(h) }
func (h deadlines) Less(i, j int) bool { return h[i].deadline.Before(h[j].deadline) }
func (h deadlines) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index = i
	h[j].index = j
}
func (h *deadlines) Push(x any) {
	p := x.(*pending)
	p.index = len(*h)
	*h = append(*h, p)
}
func (h *deadlines) Pop() any {
	old := *h
	p := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	return p
}
