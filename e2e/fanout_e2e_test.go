package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/coder/websocket"
)

// These tests run a room's broadcast through the fan-out queue end to end:
// broadcast queues jobs on the local SQS, the event source mapping invokes
// the fanout worker, and the worker posts to every member.

// fanoutQueue is the queue serverless.yml names for the local stage.
const fanoutQueue = "go-websocket-api-local-fanout"

var sqsLine = regexp.MustCompile(`SQS API at (http://127\.0\.0\.1:\d+)`)

// queueVariant writes serverless.yml with each old string replaced by its
// new one into a directory of its own, beside the project's package.json,
// node_modules and stand-ins for the artifacts, so that the gateway packages
// the real template with only those settings changed. It returns the
// directory, for launchGateway.
func queueVariant(t testing.TB, replacements ...string) string {
	t.Helper()
	w := newTempProject(t, projectDir)
	yml, err := os.ReadFile(filepath.Join(w.Project, "serverless.yml"))
	if err != nil {
		t.Fatal(err)
	}
	s := string(yml)
	for i := 0; i+1 < len(replacements); i += 2 {
		if !strings.Contains(s, replacements[i]) {
			t.Fatalf("serverless.yml has no %q", replacements[i])
		}
		s = strings.Replace(s, replacements[i], replacements[i+1], 1)
	}
	w.service(t)
	w.write(t, "serverless.yml", s)
	return w.Dir
}

// joinMany connects n members to room, 50 at a time, each as its own user,
// and forwards the broadcasts they receive. A member's join is answered
// before it is counted in.
func joinMany(t testing.TB, g *gatewayProc, room string, n int) <-chan frame {
	t.Helper()
	frames := make(chan frame, 4*n)
	var wg sync.WaitGroup
	slots := make(chan struct{}, 50)
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		slots <- struct{}{}
		go func() {
			defer func() { <-slots; wg.Done() }()
			if err := joinOne(t, g, room, i, frames); err != nil {
				errs <- fmt.Errorf("member %d: %w", i, err)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	return frames
}

func joinOne(t testing.TB, g *gatewayProc, room string, i int, frames chan<- frame) error {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, g.url+"?token="+tokenFor(t, fmt.Sprintf("member%05d", i)), nil)
	if err != nil {
		return err
	}
	t.Cleanup(func() { c.CloseNow() })
	if err := c.Write(ctx, websocket.MessageText, []byte(`{"action":"join","room":"`+room+`"}`)); err != nil {
		return err
	}
	_, reply, err := c.Read(ctx)
	if err != nil {
		return err
	}
	if !strings.HasPrefix(string(reply), `{"action":"join","room":"`+room+`"`) {
		return fmt.Errorf("join answered %s", reply)
	}
	forward(c, i, frames)
	return nil
}

// broadcastFrom joins a sender to room and broadcasts text, returning the
// receipt.
func broadcastFrom(t testing.TB, g *gatewayProc, room, text string) (sender *websocket.Conn, messageID string, recipients int) {
	t.Helper()
	sender = g.dial(t, "sender", "")
	if got := send(t, sender, `{"action":"join","room":"`+room+`"}`); !strings.HasPrefix(got, `{"action":"join"`) {
		t.Fatalf("sender's join: %s", got)
	}
	var receipt struct {
		MessageID  string
		Recipients int
	}
	got := send(t, sender, `{"action":"broadcast","room":"`+room+`","message":"`+text+`"}`)
	if err := json.Unmarshal([]byte(got), &receipt); err != nil || receipt.MessageID == "" {
		t.Fatalf("broadcast receipt %s: %v", got, err)
	}
	return sender, receipt.MessageID, receipt.Recipients
}

// deliveries reads frames until every one of n members has messageID, and
// returns how many copies each got.
func deliveries(t testing.TB, frames <-chan frame, n int, messageID string, within time.Duration) map[int]int {
	t.Helper()
	got, _ := awaitEach(t, frames, n, within, withMessageID(messageID))
	copies := make(map[int]int, len(got))
	for conn, fs := range got {
		copies[conn] = len(fs)
	}
	return copies
}

func TestBroadcastToTwoThousandGoesThroughTheQueueOnceEach(t *testing.T) {
	t.Parallel()
	const members = 2000
	// 2,000 handshakes and joins, 50 at a time, may go past the stage's 500
	// a second: this is about the queue, not throttling.
	g := startGateway(t, "-throttle=false")
	frames := joinMany(t, g, "stadium", members)
	sender, first, recipients := broadcastFrom(t, g, "stadium", "kick-off")
	if recipients != members {
		t.Errorf("receipt says %d recipients, want %d", recipients, members)
	}
	for conn, copies := range deliveries(t, frames, members, first, 60*time.Second) {
		if copies != 1 {
			t.Errorf("member %d got the first message %d times", conn, copies)
		}
	}
	// A second broadcast, once delivered to all, bounds the first: a copy
	// of it arriving late would come before the second on its connection.
	var second struct{ MessageID string }
	if err := json.Unmarshal([]byte(send(t, sender, `{"action":"broadcast","room":"stadium","message":"half-time"}`)), &second); err != nil {
		t.Fatal(err)
	}
	for conn, copies := range deliveries(t, frames, members, second.MessageID, 60*time.Second) {
		if copies != 1 {
			t.Errorf("member %d got the second message %d times", conn, copies)
		}
	}
	// The worker ran: its batches are in its log, and the broadcast said it queued.
	g.waitOutput(t, `fanout\s+│.*batch done`, 1)
	g.waitOutput(t, `broadcast\s+│.*"queued":true`, 1)
}

func TestWorkerKilledMidBatchItsJobsAreDeliveredAgain(t *testing.T) {
	t.Parallel()
	const members = 150 // over broadcast's 100 posted inline: one job
	// A visibility timeout of 10 s, not 180, so that the batch of the
	// killed worker comes back within the test, yet is longer than the
	// 4.5 s the batch takes, or a second worker would get it too.
	dir := queueVariant(t, "VisibilityTimeout: 180", "VisibilityTimeout: 10")
	// Posts one at a time, each 30 ms, leave time to kill the worker while it posts.
	g := launchGateway(t, dir, "-management-delay", "30ms", "-env", "FANOUT_CONCURRENCY=1")
	g.awaitReady(t)
	frames := joinMany(t, g, "arena", members)
	_, id, _ := broadcastFrom(t, g, "arena", "overtime")

	got := map[int]int{}
	select {
	case f := <-frames: // the worker is posting
		got[f.conn]++
	case <-time.After(30 * time.Second):
		t.Fatal("no member got the message within 30 s")
	}
	pids := functionPIDs(g, "fanout")
	if len(pids) == 0 {
		t.Fatal("no fanout process while it posts")
	}
	pid := pids[0]
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	// Every member gets the message: those the killed worker did not reach
	// from the batch redelivered; those it did may get it twice, the same
	// messageId telling the copies apart.
	for conn, n := range deliveries(t, frames, members, id, 60*time.Second) {
		got[conn] += n
	}
	if len(got) != members {
		t.Errorf("%d of %d members got the message", len(got), members)
	}
	for conn, n := range got {
		if n > 2 {
			t.Errorf("member %d got the message %d times, want at most twice (once before the kill, once after)", conn, n)
		}
	}
	if slices.Contains(functionPIDs(g, "fanout"), pid) {
		t.Errorf("the killed worker %d still runs", pid)
	}
}

func TestJobThatKeepsFailingLandsInTheDeadLetterQueue(t *testing.T) {
	t.Parallel()
	dir := queueVariant(t, "VisibilityTimeout: 180", "VisibilityTimeout: 1", "maxReceiveCount: 5", "maxReceiveCount: 2")
	g := launchGateway(t, dir)
	g.awaitReady(t)
	g.waitOutput(t, `sqs\s+│ FanoutQueue → fanout \(batch 5, .*DLQ FanoutDeadLetterQueue after 2`, 1)
	m := sqsLine.FindStringSubmatch(g.output())
	if m == nil {
		t.Fatalf("the gateway did not say where its SQS is:\n%s", g.output())
	}
	client := sqs.New(sqs.Options{
		Region:       "ap-northeast-1",
		BaseEndpoint: aws.String(m[1]),
		Credentials:  credentials.NewStaticCredentialsProvider("local", "local", ""),
	})
	url, err := client.GetQueueUrl(t.Context(), &sqs.GetQueueUrlInput{QueueName: aws.String(fanoutQueue)})
	if err != nil {
		t.Fatal(err)
	}
	// A job of a broadcast whose receipt gave the user messageId XDmENcnwIE0CFEQ=.
	sent, err := client.SendMessage(t.Context(), &sqs.SendMessageInput{QueueUrl: url.QueueUrl,
		MessageBody: aws.String(`{"messageId":"XDmENcnwIE0CFEQ=","frame":"not base64!"}`)})
	if err != nil {
		t.Fatal(err)
	}
	// The line docs/offline.md shows, naming the id the user knows.
	g.waitOutputWithin(t, `(?m)^sqs\s+│ message `+regexp.QuoteMeta(*sent.MessageId)+` \(messageId XDmENcnwIE0CFEQ=\) moved from `+fanoutQueue+
		` to its dead-letter queue `+fanoutQueue+`-dlq after 2 receives$`, 1, 30*time.Second)
	g.waitOutput(t, `fanout\s+│.*unreadable job`, 2)

	dlq, err := client.GetQueueUrl(t.Context(), &sqs.GetQueueUrlInput{QueueName: aws.String(fanoutQueue + "-dlq")})
	if err != nil {
		t.Fatal(err)
	}
	out, err := client.ReceiveMessage(t.Context(), &sqs.ReceiveMessageInput{QueueUrl: dlq.QueueUrl, WaitTimeSeconds: 5})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Messages) != 1 || *out.Messages[0].MessageId != *sent.MessageId {
		t.Errorf("the dead-letter queue holds %d messages, want the job %s", len(out.Messages), *sent.MessageId)
	}
}
