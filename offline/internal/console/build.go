package console

import (
	"fmt"
	"sync"
	"time"

	"wsapi/offline/internal/hostbuild"
)

// statusEvery is how long a build may go without a line before one says
// where it is: a first build spends minutes compiling the AWS SDK, and a
// silent terminal looks hung.
const statusEvery = 5 * time.Second

// Build prints a build of the functions' bootstraps for this machine: what
// it builds and why before it starts, where it is whenever nothing was
// printed for a while, each function whose bootstrap it wrote, and the
// total.
type Build struct {
	c     *Console
	quiet bool
	every time.Duration

	mu                   sync.Mutex
	start, lastLine      time.Time
	functions            int
	compiled, downloaded int
	lastPackage          string
	built, failed        int
	stop, stopped        chan struct{}
}

// NewBuild prints a build's lines on c; quiet, only its errors.
func NewBuild(c *Console, quiet bool) *Build { return &Build{c: c, quiet: quiet, every: statusEvery} }

// Started says what is built, where and why, before the go command runs.
func (b *Build) Started(functions int, bin string) {
	b.mu.Lock()
	b.start, b.functions = time.Now(), functions
	b.stop, b.stopped = make(chan struct{}), make(chan struct{})
	b.mu.Unlock()
	b.printf("building %d functions for this machine into %s, to run them here: a first build downloads and compiles "+
		"the AWS SDK and takes a few minutes; later starts rebuild only what changed", functions, bin)
	go b.tick()
}

// Progress counts what the go command downloaded and compiled.
func (b *Build) Progress(p hostbuild.Progress) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch {
	case p.Downloaded != "":
		b.downloaded++
	case p.Compiled != "":
		b.compiled++
		b.lastPackage = p.Compiled
	}
}

// Built prints a function's failure with the compiler's errors, and, when
// its bootstrap is new or was replaced, the function's time: a function
// the build left as it was says nothing, and a start with nothing changed
// says it in its last line only.
func (b *Build) Built(r hostbuild.Result) {
	b.mu.Lock()
	if r.Err != nil {
		b.failed++
	} else {
		b.built++
	}
	b.mu.Unlock()
	switch {
	case r.Err != nil:
		b.c.Error(r.Err)
	case r.Created || r.Replaced:
		b.printf("%s built in %s", r.Function.Key, roundDuration(r.Duration))
	}
}

// Finished stops the status lines and prints the total, or that the build
// was stopped.
func (b *Build) Finished(stopped error) {
	close(b.stop)
	<-b.stopped
	b.mu.Lock()
	took, compiled, built, failed := roundDuration(time.Since(b.start)), b.compiled, b.built, b.failed
	b.mu.Unlock()
	switch {
	case stopped != nil:
		b.printf("stopped after %s (%v)", took, stopped)
	case failed > 0:
		b.printf("%d of %d functions built in %s; %d did not (above)", built, built+failed, took, failed)
	case compiled == 0:
		b.printf("%d functions up to date (%s)", built, took)
	default:
		b.printf("%d functions built in %s (%d packages compiled)", built, took, compiled)
	}
}

// tick prints a status line whenever no line was printed for b.every.
func (b *Build) tick() {
	defer close(b.stopped)
	t := time.NewTicker(b.every / 5)
	defer t.Stop()
	for {
		select {
		case <-b.stop:
			return
		case <-t.C:
		}
		b.mu.Lock()
		now := time.Now()
		quiet := now.Sub(b.lastLine) >= b.every
		status := b.status(now)
		b.mu.Unlock()
		if quiet {
			b.printf("%s", status)
		}
	}
}

// status is where the build is: compiling, or linking the functions.
// b.mu is held.
func (b *Build) status(now time.Time) string {
	took := roundDuration(now.Sub(b.start))
	switch {
	case b.compiled == 0 && b.downloaded == 0:
		return fmt.Sprintf("%s: checking what changed", took)
	case b.built+b.failed > 0:
		return fmt.Sprintf("%s: %d of %d functions built", took, b.built+b.failed, b.functions)
	case b.compiled == 0:
		return fmt.Sprintf("%s: %d modules downloaded", took, b.downloaded)
	default:
		return fmt.Sprintf("%s: %d packages compiled, %d modules downloaded (last: %s)", took, b.compiled, b.downloaded, b.lastPackage)
	}
}

func (b *Build) printf(format string, args ...any) {
	if b.quiet {
		return
	}
	b.mu.Lock()
	b.lastLine = time.Now()
	b.mu.Unlock()
	b.c.Printf("build", format, args...)
}

// roundDuration shows a build's time as a person reads it: 0.8s, 12s, 3m5s.
func roundDuration(d time.Duration) string {
	if d < 10*time.Second {
		return fmt.Sprintf("%.1fs", d.Seconds())
	}
	return d.Round(time.Second).String()
}
