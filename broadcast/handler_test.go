package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"wsapi/shared/connections"
	"wsapi/shared/fanoutqueue"
)

const sender = "taroPhone00000="

// api records frames by connection; answer gives some connections an error.
type api struct {
	mu     sync.Mutex
	frames map[string][]string
	answer map[string]error
}

func (a *api) Post(_ context.Context, id string, data []byte) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if err := a.answer[id]; err != nil {
		return err
	}
	a.frames[id] = append(a.frames[id], string(data))
	return nil
}

// room holds the members of "lobby", returned pageSize a page; every other
// room is empty.
type room struct {
	members  []string
	pageSize int
	pages    int
	asked    int // IsMember calls
}

func (r *room) IsMember(_ context.Context, name, id string) (bool, error) {
	r.asked++
	return name == "lobby" && slices.Contains(r.members, id), nil
}

func (r *room) Members(_ context.Context, name string, page func([]string) error) error {
	if name != "lobby" {
		return page(nil)
	}
	for i := 0; i == 0 || i < len(r.members); i += r.pageSize {
		r.pages++
		if err := page(slices.Clone(r.members[i:min(i+r.pageSize, len(r.members))])); err != nil {
			return err
		}
	}
	return nil
}

type queue struct {
	jobs   []fanoutqueue.Job
	delays []time.Duration
}

func (q *queue) Enqueue(_ context.Context, jobs []fanoutqueue.Job, delay time.Duration) error {
	q.jobs = append(q.jobs, jobs...)
	for range jobs {
		q.delays = append(q.delays, delay)
	}
	return nil
}

func members(n int) []string {
	out := []string{sender}
	for i := range n {
		out = append(out, fmt.Sprintf("m%04d=", i))
	}
	return out
}

var sentAt = time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)

func request(body string) events.APIGatewayWebsocketProxyRequest {
	return events.APIGatewayWebsocketProxyRequest{
		Body: body,
		RequestContext: events.APIGatewayWebsocketProxyRequestContext{
			RouteKey: "broadcast", EventType: "MESSAGE", ConnectionID: sender,
			DomainName: "abc.execute-api.ap-northeast-1.amazonaws.com", Stage: "prod",
			Authorizer: map[string]any{"principalId": "taro", "userName": "taro"},
		},
	}
}

const delivered = `{"room":"lobby","from":"taro","message":"hi","sentAt":"2026-12-03T10:00:00Z","messageId":"id1"}`

func TestHandle(t *testing.T) {
	throttled := fmt.Errorf("post: %w", connections.ErrThrottled)
	gone := fmt.Errorf("post: %w", connections.ErrGone)
	tests := []struct {
		name       string
		body       string
		members    []string
		answer     map[string]error
		status     int
		receipt    string
		inline     int   // recipients posted to here
		queuedIDs  int   // recipients handed to the worker
		jobs       int   // jobs queued
		attempts   []int // each job's attempt
		wantForgot []string
	}{
		{"a small room at once", `{"action":"broadcast","room":"lobby","message":"hi"}`, members(3), nil, 200,
			`{"action":"broadcast","room":"lobby","recipients":3,"messageId":"id1"}`, 3, 0, 0, nil, nil},
		{"alone in the room", `{"action":"broadcast","room":"lobby","message":"hi"}`, members(0), nil, 200,
			`{"action":"broadcast","room":"lobby","recipients":0,"messageId":"id1"}`, 0, 0, 0, nil, nil},
		{"at the threshold: still here", `{"action":"broadcast","room":"lobby","message":"hi"}`, members(10), nil, 200,
			`{"action":"broadcast","room":"lobby","recipients":10,"messageId":"id1"}`, 10, 0, 0, nil, nil},
		{"over the threshold: every page to the queue, a job a page", `{"action":"broadcast","room":"lobby","message":"hi"}`, members(2500), nil, 200,
			`{"action":"broadcast","room":"lobby","recipients":2500,"messageId":"id1"}`, 0, 2500, 3, []int{0, 0, 0}, nil},
		{"throttled here: to the queue, gone: forgotten", `{"action":"broadcast","room":"lobby","message":"hi"}`, members(3),
			map[string]error{"m0000=": throttled, "m0001=": gone}, 200,
			`{"action":"broadcast","room":"lobby","recipients":3,"messageId":"id1"}`, 1, 1, 1, []int{1}, []string{"m0001="}},
		{"not a member", `{"action":"broadcast","room":"ops","message":"hi"}`, members(3), nil, 400,
			`{"error":"not_a_member","message":"join room ops before broadcasting to it"}`, 0, 0, 0, nil, nil},
		{"not a member of a small room", `{"action":"broadcast","room":"lobby","message":"hi"}`, members(3)[1:], nil, 400,
			`{"error":"not_a_member","message":"join room lobby before broadcasting to it"}`, 0, 0, 0, nil, nil},
		{"not a member of a large room: nothing queued", `{"action":"broadcast","room":"lobby","message":"hi"}`, members(2500)[1:], nil, 400,
			`{"error":"not_a_member","message":"join room lobby before broadcasting to it"}`, 0, 0, 0, nil, nil},
		{"a member listed on a later page of a large room", `{"action":"broadcast","room":"lobby","message":"hi"}`, append(members(2500)[1:], sender), nil, 200,
			`{"action":"broadcast","room":"lobby","recipients":2500,"messageId":"id1"}`, 0, 2500, 3, []int{0, 0, 0}, nil},
		{"empty message", `{"action":"broadcast","room":"lobby","message":""}`, members(3), nil, 400,
			`{"error":"invalid_field","message":"message must not be empty"}`, 0, 0, 0, nil, nil},
		{"message over 32 KB", `{"action":"broadcast","room":"lobby","message":"` + strings.Repeat("x", 32<<10+1) + `"}`, members(3), nil, 400,
			`{"error":"invalid_field","message":"message must be at most 32768 bytes, got 32769"}`, 0, 0, 0, nil, nil},
		{"a message that outgrows a frame", `{"action":"broadcast","room":"lobby","message":"` + strings.Repeat(`\u0001`, 21900) + `"}`, members(3), nil, 400,
			`{"error":"invalid_field","message":"message must fit one frame once encoded: 131493 bytes, at most 131072"}`, 0, 0, 0, nil, nil},
		{"no room", `{"action":"broadcast","message":"hi"}`, members(3), nil, 400,
			`{"error":"missing_field","message":"room is required"}`, 0, 0, 0, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := &api{frames: map[string][]string{}, answer: tt.answer}
			q := &queue{}
			var forgot []string
			h := Handler{
				Connections: func(string, string) connections.Poster { return a },
				Rooms:       &room{members: tt.members, pageSize: 1000},
				Queue:       q,
				Forget:      func(_ context.Context, id string) error { forgot = append(forgot, id); return nil },
				Concurrency: 4, InlineMax: 10, ReceiptTime: time.Second,
				Now: func() time.Time { return sentAt }, NewID: func() string { return "id1" },
			}
			resp, err := h.Handle(context.Background(), request(tt.body))
			if err != nil || resp.StatusCode != tt.status {
				t.Fatalf("Handle = %d, %v; want %d", resp.StatusCode, err, tt.status)
			}
			if got := a.frames[sender]; len(got) != 1 || got[0] != tt.receipt {
				t.Errorf("sender got %q, want %q", got, tt.receipt)
			}
			inline := 0
			for id, frames := range a.frames {
				if id == sender {
					continue
				}
				inline++
				if len(frames) != 1 || frames[0] != delivered {
					t.Errorf("%s got %q, want %q", id, frames, delivered)
				}
			}
			if inline != tt.inline {
				t.Errorf("%d posted here, want %d", inline, tt.inline)
			}
			queued := 0
			var attempts []int
			for _, j := range q.jobs {
				queued += len(j.ConnectionIDs)
				attempts = append(attempts, j.Attempt)
				if string(j.Frame) != delivered || j.DomainName != "abc.execute-api.ap-northeast-1.amazonaws.com" || j.Stage != "prod" || j.MessageID != "id1" {
					t.Errorf("job %+v, want the frame and this API's endpoint", j)
				}
				if slices.Contains(j.ConnectionIDs, sender) {
					t.Error("the sender is queued its own message")
				}
			}
			if queued != tt.queuedIDs || len(q.jobs) != tt.jobs || fmt.Sprint(attempts) != fmt.Sprint(tt.attempts) {
				t.Errorf("queued %d ids in %d jobs, attempts %v; want %d in %d, %v", queued, len(q.jobs), attempts, tt.queuedIDs, tt.jobs, tt.attempts)
			}
			if fmt.Sprint(forgot) != fmt.Sprint(tt.wantForgot) {
				t.Errorf("forgot %v, want %v", forgot, tt.wantForgot)
			}
		})
	}
}

// A member's broadcast to a small room reads the room once: the sender's row
// in the listing shows it is a member, without a read of its own.
func TestSmallRoomIsReadOnce(t *testing.T) {
	rm := &room{members: members(3), pageSize: 1000}
	h := smallRoomHandler(&api{frames: map[string][]string{}}, rm)
	resp, err := h.Handle(context.Background(), request(`{"action":"broadcast","room":"lobby","message":"hi"}`))
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("Handle = %d, %v; want 200", resp.StatusCode, err)
	}
	if rm.pages != 1 || rm.asked != 0 {
		t.Errorf("read %d pages and asked IsMember %d times, want 1 page and no IsMember", rm.pages, rm.asked)
	}
}

// waitingReceipt holds the sender's receipt until a member has been posted
// to, for at most 5 s, and records whether one was.
type waitingReceipt struct {
	once        sync.Once
	memberPosts chan struct{}
	sawMember   bool
}

func (w *waitingReceipt) Post(_ context.Context, id string, _ []byte) error {
	if id != sender {
		w.once.Do(func() { close(w.memberPosts) })
		return nil
	}
	select {
	case <-w.memberPosts:
		w.sawMember = true
	case <-time.After(5 * time.Second):
	}
	return nil
}

// The receipt goes out beside a small room's posts: no member waits a
// round trip to @connections for it.
func TestMembersDoNotWaitForTheReceipt(t *testing.T) {
	w := &waitingReceipt{memberPosts: make(chan struct{})}
	h := smallRoomHandler(w, &room{members: members(3), pageSize: 1000})
	resp, err := h.Handle(context.Background(), request(`{"action":"broadcast","room":"lobby","message":"hi"}`))
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("Handle = %d, %v; want 200", resp.StatusCode, err)
	}
	if !w.sawMember {
		t.Error("the members were posted to only after the receipt")
	}
}

// smallRoomHandler posts through p to the members of rm, inline.
func smallRoomHandler(p connections.Poster, rm *room) Handler {
	return Handler{
		Connections: func(string, string) connections.Poster { return p },
		Rooms:       rm, Queue: &queue{},
		Forget:      func(context.Context, string) error { return nil },
		Concurrency: 4, InlineMax: 10, ReceiptTime: time.Second,
		Now: func() time.Time { return sentAt }, NewID: func() string { return "id1" },
	}
}

// TestAudience: the sender is noted, not counted; the others are held until
// there are more than inlineMax, and from then on every page is queued.
func TestAudience(t *testing.T) {
	a := audience{sender: "me=", inlineMax: 2}
	a.add([]string{"a=", "me="})
	if !a.member || a.recipients != 1 || a.large() {
		t.Fatalf("after a page with the sender: %+v", a)
	}
	a.add([]string{"b=", "c="})
	if !a.large() {
		t.Fatalf("3 others over an inlineMax of 2: %+v, want large", a)
	}
	if got := a.queue(); !slices.Equal(got, []string{"a=", "b=", "c="}) || len(a.pending) != 0 {
		t.Fatalf("queue() = %q, pending %q", got, a.pending)
	}
	a.add([]string{"d="})
	if !a.large() || a.recipients != 4 {
		t.Errorf("a page after the first queued: %+v, want it queued too", a)
	}
}
