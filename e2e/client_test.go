package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"wsapi/authorizer/token"
)

// testSecret signs the tokens of the tests' users.
const testSecret = "e2e-test-secret-at-least-32-bytes-long"

// tokenFor is what `make token USER=user` prints, for testSecret.
func tokenFor(t testing.TB, user string) string {
	t.Helper()
	tok, err := token.Sign([]byte(testSecret), user, time.Hour, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// dial connects as user, to path ("" or "/local").
func (g *gatewayProc) dial(t testing.TB, user, path string) *websocket.Conn {
	t.Helper()
	return dial(t, g.url+path+"?token="+tokenFor(t, user))
}

func dial(t testing.TB, url string) *websocket.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, url, nil)
	if err != nil {
		t.Fatalf("dial %s: %v", url, err)
	}
	t.Cleanup(func() { c.CloseNow() })
	return c
}

func send(t testing.TB, c *websocket.Conn, msg string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.Write(ctx, websocket.MessageText, []byte(msg)); err != nil {
		t.Fatalf("send %s: %v", msg, err)
	}
	_, got, err := c.Read(ctx)
	if err != nil {
		t.Fatalf("no answer to %s: %v", msg, err)
	}
	return string(got)
}

// read returns the next frame c receives.
func read(t testing.TB, c *websocket.Conn) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, got, err := c.Read(ctx)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	return string(got)
}

// connID learns a connection's id from API Gateway's Forbidden frame: a
// message no route takes is answered with it.
func connID(t testing.TB, c *websocket.Conn) string {
	t.Helper()
	var f struct{ ConnectionID string }
	if err := json.Unmarshal([]byte(send(t, c, `{}`)), &f); err != nil || f.ConnectionID == "" {
		t.Fatalf("no connection id: %v", err)
	}
	return f.ConnectionID
}

// join joins c to room and checks the answer: the room then holds members.
func join(t testing.TB, c *websocket.Conn, room string, members int) {
	t.Helper()
	if got, want := send(t, c, `{"action":"join","room":"`+room+`"}`),
		fmt.Sprintf(`{"action":"join","room":"%s","members":%d}`, room, members); got != want {
		t.Fatalf("join: %s, want %s", got, want)
	}
}

// frame is one message a receiver got: which of the test's receivers, the
// text, its messageId if it carries one, and when it arrived.
type frame struct {
	conn      int
	text      string
	messageID string
	at        time.Time
}

// forward sends on frames, as receiver conn's, each message c receives,
// until c closes.
func forward(c *websocket.Conn, conn int, frames chan<- frame) {
	go func() {
		for {
			_, msg, err := c.Read(context.Background())
			if err != nil {
				return
			}
			var d struct{ MessageID string }
			_ = json.Unmarshal(msg, &d)
			frames <- frame{conn: conn, text: string(msg), messageID: d.MessageID, at: time.Now()}
		}
	}()
}

// awaitEach reads frames until each of n receivers has one, every frame
// checked by want, failing the test on a frame want refuses or once within
// has passed. It returns the frames each receiver got, copies included,
// and when the last receiver got its first.
func awaitEach(t testing.TB, frames <-chan frame, n int, within time.Duration, want func(frame) error) (map[int][]frame, time.Time) {
	t.Helper()
	got := make(map[int][]frame, n)
	var last time.Time
	deadline := time.After(within)
	for len(got) < n {
		select {
		case f := <-frames:
			if err := want(f); err != nil {
				t.Fatalf("receiver %d: %v", f.conn, err)
			}
			if len(got[f.conn]) == 0 {
				last = f.at
			}
			got[f.conn] = append(got[f.conn], f)
		case <-deadline:
			t.Fatalf("%d of %d receivers got theirs within %v", len(got), n, within)
		}
	}
	return got, last
}

// awaitEachOnce is awaitEach for a message each of n receivers must get
// exactly once.
func awaitEachOnce(t testing.TB, frames <-chan frame, n int, within time.Duration, want func(frame) error) (map[int]frame, time.Time) {
	t.Helper()
	got, last := awaitEach(t, frames, n, within, want)
	once := make(map[int]frame, n)
	for conn, fs := range got {
		if len(fs) > 1 {
			t.Fatalf("receiver %d got %s %d times", conn, fs[0].text, len(fs))
		}
		once[conn] = fs[0]
	}
	return once, last
}

// withMessageID accepts the copies of the message id.
func withMessageID(id string) func(frame) error {
	return func(f frame) error {
		if f.messageID != id {
			return fmt.Errorf("got %s, want message %s", f.text, id)
		}
		return nil
	}
}

// withText accepts the copies of text sent by from.
func withText(text, from string) func(frame) error {
	return func(f frame) error {
		if !strings.Contains(f.text, `"message":"`+text+`"`) || !strings.Contains(f.text, `"from":"`+from+`"`) {
			return fmt.Errorf("got %s, want %q from %s", f.text, text, from)
		}
		return nil
	}
}
