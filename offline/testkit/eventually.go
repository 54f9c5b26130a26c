package testkit

import (
	"testing"
	"time"
)

// pollEvery is the pause between two looks at a condition: short beside
// every deadline, long enough to leave the machine to the processes watched.
const pollEvery = 10 * time.Millisecond

// Eventually looks at cond until it reports ok, and fails the test if it
// does not within the given time, with the reason cond gave last. It is for
// what has no signal to wait on: a process's state, a file count, a log.
func Eventually(t testing.TB, within time.Duration, cond func() (ok bool, why string)) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		ok, why := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %v: %s", within, why)
		}
		time.Sleep(pollEvery)
	}
}
