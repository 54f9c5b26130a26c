package lambdaruntime

import (
	"fmt"
	"math"
	"strings"
	"time"
)

// The platform lines Lambda writes into a function's log stream around each
// invocation. Fields are tab-separated, as in CloudWatch Logs; since 2025 a
// provided.* runtime is billed for init too, so a cold start's Billed
// Duration covers Duration plus Init Duration.

func startLine(requestID string) string {
	return "START RequestId: " + requestID + " Version: $LATEST"
}

func endLine(requestID string) string {
	return "END RequestId: " + requestID
}

// report holds the figures of one REPORT line.
type report struct {
	requestID    string
	duration     time.Duration
	initDuration time.Duration // zero on a warm start: the field is left out
	memorySizeMB int
	maxMemoryMB  int
	status       string // "", "timeout" or "error"
	errorType    string // with status "error"
}

func (r report) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "REPORT RequestId: %s\tDuration: %.2f ms\tBilled Duration: %d ms\tMemory Size: %d MB\tMax Memory Used: %d MB",
		r.requestID, millis(r.duration), billedMillis(r.duration+r.initDuration), r.memorySizeMB, r.maxMemoryMB)
	if r.initDuration > 0 {
		fmt.Fprintf(&b, "\tInit Duration: %.2f ms", millis(r.initDuration))
	}
	if r.status != "" {
		b.WriteString("\tStatus: " + r.status)
	}
	if r.errorType != "" {
		b.WriteString("\tError Type: " + r.errorType)
	}
	return b.String()
}

// initReportLine is written when the init phase fails, before the START of
// the invocation that was waiting for it.
func initReportLine(d time.Duration, status, errorType string) string {
	s := fmt.Sprintf("INIT_REPORT Init Duration: %.2f ms\tPhase: init\tStatus: %s", millis(d), status)
	if errorType != "" {
		s += "\tError Type: " + errorType
	}
	return s
}

// timeoutLine follows the REPORT of an invocation that ran out of time.
func timeoutLine(at time.Time, requestID string, timeout time.Duration) string {
	return fmt.Sprintf("%s %s Task timed out after %.2f seconds",
		at.UTC().Format("2006-01-02T15:04:05.000Z"), requestID, timeout.Seconds())
}

// exitLines are Lambda's two lines for a runtime that exited mid-invocation:
// the message, then the error type on its own.
func exitLines(e *FunctionError) []string {
	return []string{e.Message, e.Type}
}

func millis(d time.Duration) float64 {
	return float64(d) / float64(time.Millisecond)
}

// billedMillis rounds up to the next millisecond, with Lambda's 1 ms floor.
func billedMillis(d time.Duration) int64 {
	return max(int64(math.Ceil(millis(d))), 1)
}
