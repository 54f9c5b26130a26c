package e2e

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"wsapi/authorizer/token"
)

// chromium is Debian's package, which .ci/run installs.
const chromium = "/usr/bin/chromium"

// TestBrowserClient drives examples/browser in headless Chromium against the
// gateway: a real browser, which puts the token in the query string and sends
// an Origin header (the page is served from another origin than the API).
// Two pages send, then meet in a room: one broadcasts, the other shows it.
func TestBrowserClient(t *testing.T) {
	t.Parallel()
	if _, err := os.Stat(chromium); err != nil {
		t.Fatalf("%s: %v: install it with `apt-get install chromium` (Debian)", chromium, err)
	}
	driver := filepath.Join(projectDir, "examples", "browser", "e2e", "drive.mjs")
	if _, err := os.Stat(filepath.Join(projectDir, "node_modules", "playwright-core")); err != nil {
		t.Fatalf("playwright-core is missing: run `npm ci` (make test does)")
	}
	g := sharedGateway(t)
	page := httptest.NewServer(http.FileServer(http.Dir(filepath.Join(projectDir, "examples", "browser"))))
	defer page.Close()

	taro, hanako, room := uniqueName("taro"), uniqueName("hanako"), uniqueName("browser-room")
	sign := func(user string) string {
		tok, err := token.Sign([]byte(testSecret), user, time.Hour, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	cfg, _ := json.Marshal(map[string]string{
		"page": page.URL + "/", "api": g.url, "taro": sign(taro), "taroName": taro, "hanako": sign(hanako),
		"userDataDir": t.TempDir(), "chromium": chromium, "room": room,
	})
	cmd := exec.CommandContext(t.Context(), "node", driver, string(cfg))
	cmd.Stderr = os.Stderr
	// A stuck browser fails the test rather than hanging it; the driver's own
	// waits are 15 s each.
	cmd.WaitDelay = 5 * time.Second
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node %s: %v\n%s", driver, err, out)
	}

	// Title is the frame as it came, which the page keeps beside the text it
	// shows for it.
	type item struct{ Class, Text, Title string }
	type shows struct {
		Status   string
		Received []item
	}
	var got struct{ Taro, Hanako, Forged shows }
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("driver output %q: %v", out, err)
	}

	if got.Taro.Status != "connected" || len(got.Taro.Received) != 5 ||
		got.Taro.Received[0].Class != "" || got.Taro.Received[0].Text != `{"message":"hello, `+taro+`!"}` ||
		got.Taro.Received[1].Class != "delivery" || got.Taro.Received[1].Text != hanako+": lunch?" ||
		got.Taro.Received[2].Text != `{"action":"join","room":"`+room+`","members":1}` ||
		got.Taro.Received[3].Class != "delivery" || got.Taro.Received[3].Text != "["+room+"] "+hanako+": hi room" ||
		got.Taro.Received[4].Text != `{"action":"leave","room":"`+room+`"}` {
		t.Fatalf("taro's page shows %+v, want connected, the hello reply, hanako's message, joined alone, hanako's message to the room, left", got.Taro)
	}
	var receipt struct {
		Action, To        string
		Delivered, Failed int
	}
	if got.Hanako.Status != "connected" || len(got.Hanako.Received) != 4 ||
		json.Unmarshal([]byte(got.Hanako.Received[0].Text), &receipt) != nil ||
		receipt.Action != "send" || receipt.To != taro || receipt.Delivered != 1 || receipt.Failed != 0 ||
		got.Hanako.Received[1].Text != `{"action":"join","room":"`+room+`","members":2}` ||
		got.Hanako.Received[3].Text != `{"action":"leave","room":"`+room+`"}` {
		t.Fatalf("hanako's page shows %+v, want connected, the receipt: delivered to taro's 1 connection, joined second, the broadcast's receipt, left", got.Hanako)
	}
	// The message taro's page shows is the one hanako's receipt names.
	var broadcast, delivery struct {
		Action, Room, MessageID string
		Recipients              int
	}
	if err := json.Unmarshal([]byte(got.Hanako.Received[2].Text), &broadcast); err != nil ||
		broadcast.Action != "broadcast" || broadcast.Room != room || broadcast.Recipients != 1 || broadcast.MessageID == "" {
		t.Errorf("hanako's broadcast receipt %s, %v; want 1 recipient in %s and a messageId", got.Hanako.Received[2].Text, err, room)
	}
	if err := json.Unmarshal([]byte(got.Taro.Received[3].Title), &delivery); err != nil || delivery.MessageID != broadcast.MessageID {
		t.Errorf("taro's page got %s, %v; want the messageId of hanako's receipt, %s", got.Taro.Received[3].Title, err, broadcast.MessageID)
	}
	// A refused handshake reaches a page as a close with 1006 only.
	if got.Forged.Status != "closed (1006)" || len(got.Forged.Received) != 0 {
		t.Errorf("the page with a bad token shows %+v, want closed (1006) and nothing received", got.Forged)
	}
}
