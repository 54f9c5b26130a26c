package fanoutqueue

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"wsapi/shared/connections"
)

func ids(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("XDmENcnw%07d=", i)
	}
	return out
}

func TestSplit(t *testing.T) {
	small := []byte(`{"room":"lobby","message":"hi"}`)
	largest := []byte(strings.Repeat("x", connections.MaxPayloadBytes))
	tests := []struct {
		name     string
		frame    []byte
		audience int
		wantJobs int
	}{
		{"one id", small, 1, 1},
		{"exactly one job", small, MaxIDsPerJob, 1},
		{"one more", small, MaxIDsPerJob + 1, 2},
		{"a hundred thousand", small, 100_000, 100},
		{"the largest frame still takes a full job", largest, 2 * MaxIDsPerJob, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			audience := ids(tt.audience)
			jobs, err := Split(Job{DomainName: "abc", Stage: "prod", MessageID: "m1", Frame: tt.frame}, audience)
			if err != nil {
				t.Fatal(err)
			}
			if len(jobs) != tt.wantJobs {
				t.Errorf("%d jobs, want %d", len(jobs), tt.wantJobs)
			}
			var all []string
			for _, j := range jobs {
				b, _ := json.Marshal(j)
				if len(b) > MaxMessageBytes || len(j.ConnectionIDs) > MaxIDsPerJob {
					t.Errorf("a job of %d bytes and %d ids, over %d bytes or %d ids", len(b), len(j.ConnectionIDs), MaxMessageBytes, MaxIDsPerJob)
				}
				back, err := Decode(string(b))
				if err != nil || string(back.Frame) != string(tt.frame) {
					t.Fatalf("Decode: %v", err)
				}
				all = append(all, back.ConnectionIDs...)
			}
			if !slices.Equal(all, audience) {
				t.Error("the jobs do not hold the audience exactly once, in order")
			}
		})
	}
	// Ids long enough that bytes, not the count, end a job.
	long := make([]string, 300)
	for i := range long {
		long[i] = fmt.Sprintf("%0900d", i)
	}
	jobs, err := Split(Job{DomainName: "abc", Stage: "prod", Frame: []byte("x")}, long)
	if err != nil || len(jobs) != 2 {
		t.Errorf("300 ids of 900 bytes: %d jobs, %v; want 2 (256 KB each at most)", len(jobs), err)
	}
}

func TestBatches(t *testing.T) {
	tests := []struct {
		name   string
		sizes  []int
		wantNs []int // bodies per batch
	}{
		{"ten a batch", repeat(1000, 25), []int{10, 10, 5}},
		{"bytes end a batch", repeat(100<<10, 5), []int{2, 2, 1}},
		{"one of the most a message may be", []int{MaxMessageBytes, 10}, []int{1, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var bodies []string
			for _, n := range tt.sizes {
				bodies = append(bodies, strings.Repeat("x", n))
			}
			var got []int
			for _, b := range Batches(bodies) {
				total := 0
				for _, s := range b {
					total += len(s)
				}
				if total > MaxMessageBytes || len(b) > MaxBatchEntries {
					t.Errorf("a batch of %d bodies, %d bytes", len(b), total)
				}
				got = append(got, len(b))
			}
			if !slices.Equal(got, tt.wantNs) {
				t.Errorf("batches of %v, want %v", got, tt.wantNs)
			}
		})
	}
}

func repeat(n, times int) []int {
	out := make([]int, times)
	for i := range out {
		out[i] = n
	}
	return out
}

// fakeSQS records what is sent; the first time it sees each id in
// failOnce, it fails that entry on its side.
type fakeSQS struct {
	mu       sync.Mutex
	calls    int
	bodies   []string
	delays   []int32
	failOnce map[string]bool
	sender   bool
}

func (f *fakeSQS) SendMessageBatch(_ context.Context, in *sqs.SendMessageBatchInput, _ ...func(*sqs.Options)) (*sqs.SendMessageBatchOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	out := &sqs.SendMessageBatchOutput{}
	for _, e := range in.Entries {
		if f.failOnce[*e.MessageBody] || f.sender {
			f.failOnce[*e.MessageBody] = false
			out.Failed = append(out.Failed, types.BatchResultErrorEntry{Id: e.Id, Code: aws.String("InternalError"), SenderFault: f.sender, Message: aws.String("x")})
			continue
		}
		f.bodies = append(f.bodies, *e.MessageBody)
		f.delays = append(f.delays, e.DelaySeconds)
	}
	return out, nil
}

func TestEnqueue(t *testing.T) {
	jobs, _ := Split(Job{DomainName: "abc", Stage: "prod", MessageID: "m1", Frame: []byte("hi")}, ids(25_000))
	first, _ := json.Marshal(jobs[0])
	api := &fakeSQS{failOnce: map[string]bool{string(first): true}}
	if err := New(api, "https://sqs/queue").Enqueue(context.Background(), jobs, 4*time.Second); err != nil {
		t.Fatal(err)
	}
	if len(api.bodies) != 25 || api.calls != 4 {
		t.Errorf("%d jobs sent in %d calls, want 25 in 3 and one retry of the entry SQS failed", len(api.bodies), api.calls)
	}
	for _, d := range api.delays {
		if d != 4 {
			t.Errorf("DelaySeconds %d, want 4", d)
		}
	}
	refused := &fakeSQS{sender: true, failOnce: map[string]bool{}}
	if err := New(refused, "https://sqs/queue").Enqueue(context.Background(), jobs[:1], 0); err == nil || !strings.Contains(err.Error(), "refused") {
		t.Errorf("a job SQS refuses: err = %v", err)
	}
}
