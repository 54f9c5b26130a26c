package lambdaruntime

import (
	"testing"
	"time"
)

func TestReportLine(t *testing.T) {
	const id = "8476a536-e9f4-11e8-9739-2dfe598c3fcd"
	tests := []struct {
		name string
		r    report
		want string
	}{
		{"warm",
			report{requestID: id, duration: 1234 * time.Microsecond, memorySizeMB: 128, maxMemoryMB: 18},
			"REPORT RequestId: " + id + "\tDuration: 1.23 ms\tBilled Duration: 2 ms\tMemory Size: 128 MB\tMax Memory Used: 18 MB"},
		{"cold start bills init too",
			report{requestID: id, duration: 4420 * time.Microsecond, initDuration: 333050 * time.Microsecond, memorySizeMB: 1152, maxMemoryMB: 76},
			"REPORT RequestId: " + id + "\tDuration: 4.42 ms\tBilled Duration: 338 ms\tMemory Size: 1152 MB\tMax Memory Used: 76 MB\tInit Duration: 333.05 ms"},
		{"under a millisecond bills one",
			report{requestID: id, duration: 200 * time.Microsecond, memorySizeMB: 128, maxMemoryMB: 10},
			"REPORT RequestId: " + id + "\tDuration: 0.20 ms\tBilled Duration: 1 ms\tMemory Size: 128 MB\tMax Memory Used: 10 MB"},
		{"timeout",
			report{requestID: id, duration: 3 * time.Second, memorySizeMB: 128, maxMemoryMB: 20, status: "timeout"},
			"REPORT RequestId: " + id + "\tDuration: 3000.00 ms\tBilled Duration: 3000 ms\tMemory Size: 128 MB\tMax Memory Used: 20 MB\tStatus: timeout"},
		{"crash",
			report{requestID: id, duration: 5 * time.Millisecond, memorySizeMB: 128, maxMemoryMB: 20, status: "error", errorType: "Runtime.ExitError"},
			"REPORT RequestId: " + id + "\tDuration: 5.00 ms\tBilled Duration: 5 ms\tMemory Size: 128 MB\tMax Memory Used: 20 MB\tStatus: error\tError Type: Runtime.ExitError"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.r.String(); got != tt.want {
				t.Errorf("\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestPlatformLines(t *testing.T) {
	const id = "8476a536-e9f4-11e8-9739-2dfe598c3fcd"
	at := time.Date(2020, 11, 10, 5, 46, 57, 874_000_000, time.UTC)
	tests := []struct{ got, want string }{
		{startLine(id), "START RequestId: " + id + " Version: $LATEST"},
		{endLine(id), "END RequestId: " + id},
		{timeoutLine(at, id, 3*time.Second), "2020-11-10T05:46:57.874Z " + id + " Task timed out after 3.00 seconds"},
		{initReportLine(63250*time.Microsecond, "error", "Runtime.ExitError"),
			"INIT_REPORT Init Duration: 63.25 ms\tPhase: init\tStatus: error\tError Type: Runtime.ExitError"},
		{initReportLine(10*time.Second, "timeout", ""), "INIT_REPORT Init Duration: 10000.00 ms\tPhase: init\tStatus: timeout"},
		{exitError(id, "exit status 2").Message, "RequestId: " + id + " Error: Runtime exited with error: exit status 2"},
		{exitError(id, "signal: killed").Message, "RequestId: " + id + " Error: Runtime exited with error: signal: killed"},
		{exitError(id, "exit status 0").Message, "RequestId: " + id + " Error: Runtime exited without providing a reason"},
		{timeoutError(id, 1500*time.Millisecond).Message, "RequestId: " + id + " Error: Task timed out after 1.50 seconds"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("\n got %q\nwant %q", tt.got, tt.want)
		}
	}
}
