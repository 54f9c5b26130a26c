package probe

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/coder/websocket"

	"wsapi/authorizer/token"
)

// Config says where to probe, as whom.
type Config struct {
	// URL is the API's endpoint, wss://{apiId}.execute-api.{region}.amazonaws.com/{stage}
	// or ws://localhost:3001 offline.
	URL string
	// Token is a token the API's authorizer accepts, naming User.
	Token string
	// User is the user Token names: hello and send use it.
	User string
	// Out gets one line per step.
	Out io.Writer
	// StepTimeout bounds each step; 10 s when zero.
	StepTimeout time.Duration
}

// StepError is the first step whose answer was wrong.
type StepError struct {
	Step string
	Want string
	Got  string
	Err  error // what went wrong instead of an answer, if anything
}

func (e *StepError) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: want %s, got error: %v", e.Step, e.Want, e.Err)
	}
	return fmt.Sprintf("%s: want %s, got %s", e.Step, e.Want, e.Got)
}

func (e *StepError) Unwrap() error { return e.Err }

// Run runs every step in order against cfg.URL and returns the first
// *StepError, or nil when every answer was right.
func Run(ctx context.Context, cfg Config) error {
	if cfg.StepTimeout == 0 {
		cfg.StepTimeout = 10 * time.Second
	}
	p := &prober{cfg: cfg}
	defer p.closeAll()
	for _, s := range []struct {
		name string
		run  func(context.Context) error
	}{
		{"connect", p.connect},
		{"hello", p.hello},
		{"no route", p.noRoute},
		{"bad input", p.badInput},
		{"second connection", p.secondConnection},
		{"send to both", p.send},
		{"each once", p.eachOnce},
		{"join a room", p.join},
		{"broadcast", p.broadcast},
		{"leave the room", p.leave},
		{"no token", p.noToken},
		{"forged token", p.forgedToken},
	} {
		stepCtx, cancel := context.WithTimeout(ctx, cfg.StepTimeout)
		start := time.Now()
		err := s.run(stepCtx)
		cancel()
		took := time.Since(start)
		if err != nil {
			var se *StepError
			if !errors.As(err, &se) {
				se = &StepError{Err: err}
			}
			se.Step = s.name
			fmt.Fprintf(cfg.Out, "FAIL  %-18s %9s  %v\n", s.name, ms(took), se)
			return se
		}
		fmt.Fprintf(cfg.Out, "ok    %-18s %9s\n", s.name, ms(took))
	}
	return nil
}

func ms(d time.Duration) string {
	return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000)
}

type prober struct {
	cfg   Config
	conns []*websocket.Conn // first, second
	nonce string
	room  string
}

func (p *prober) closeAll() {
	for _, c := range p.conns {
		_ = c.Close(websocket.StatusNormalClosure, "smoke test done")
	}
}

func (p *prober) dial(ctx context.Context, tok string) (*websocket.Conn, *http.Response, error) {
	u, err := url.Parse(p.cfg.URL)
	if err != nil {
		return nil, nil, fmt.Errorf("endpoint %q: %w", p.cfg.URL, err)
	}
	if tok != "" {
		q := u.Query()
		q.Set("token", tok)
		u.RawQuery = q.Encode()
	}
	return websocket.Dial(ctx, u.String(), nil)
}

func (p *prober) connect(ctx context.Context) error {
	c, _, err := p.dial(ctx, p.cfg.Token)
	if err != nil {
		return &StepError{Want: "an open connection", Err: err}
	}
	p.conns = append(p.conns, c)
	return nil
}

func (p *prober) hello(ctx context.Context) error {
	return p.ask(ctx, p.conns[0], map[string]any{"action": "hello", "userName": p.cfg.User},
		fmt.Sprintf(`{"message":"hello, %s!"}`, p.cfg.User), nil)
}

func (p *prober) noRoute(ctx context.Context) error {
	// Not JSON: no action to select a route with, and there is no $default.
	want := `{"message": "Forbidden", "connectionId":"…", "requestId":"…"}`
	return p.askRaw(ctx, p.conns[0], "smoke: a message for no route", want, func(got map[string]any) bool {
		return got["message"] == "Forbidden" && nonEmpty(got["connectionId"]) && nonEmpty(got["requestId"]) && len(got) == 3
	})
}

func (p *prober) badInput(ctx context.Context) error {
	return p.ask(ctx, p.conns[0], map[string]any{"action": "hello"},
		`{"error":"missing_field","message":"userName is required"}`, nil)
}

func (p *prober) secondConnection(ctx context.Context) error {
	return p.connect(ctx)
}

// nonce is a random tag that makes a message or room of this run its own.
func nonce() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// send posts from the first connection to the user itself: both connections
// get the message, and the first one the receipt.
func (p *prober) send(ctx context.Context) error {
	p.nonce = "smoke " + nonce()
	msg, _ := json.Marshal(map[string]any{"action": "send", "to": p.cfg.User, "message": p.nonce})
	if err := p.conns[0].Write(ctx, websocket.MessageText, msg); err != nil {
		return &StepError{Want: "the message sent", Err: err}
	}
	delivery := fmt.Sprintf(`{"from":%q,"message":%q,"sentAt":"<RFC 3339>"}`, p.cfg.User, p.nonce)
	isDelivery := func(got map[string]any) bool {
		sent, _ := got["sentAt"].(string)
		_, err := time.Parse(time.RFC3339, sent)
		return got["from"] == p.cfg.User && got["message"] == p.nonce && err == nil && len(got) == 3
	}
	receipt := fmt.Sprintf(`{"action":"send","to":%q,"delivered":2,"failed":0}`, p.cfg.User)
	// Extra fields (such as a count of posts not attempted) are allowed if zero.
	isReceipt := func(got map[string]any) bool {
		if got["action"] != "send" || got["to"] != p.cfg.User || got["delivered"] != 2.0 {
			return false
		}
		for k, v := range got {
			if k != "action" && k != "to" && k != "delivered" && v != 0.0 {
				return false
			}
		}
		return true
	}
	// The first connection gets both, in either order.
	var gotDelivery, gotReceipt bool
	for range 2 {
		got, raw, err := readJSON(ctx, p.conns[0])
		if err != nil {
			return &StepError{Want: delivery + " and " + receipt, Err: err}
		}
		switch {
		case !gotDelivery && isDelivery(got):
			gotDelivery = true
		case !gotReceipt && isReceipt(got):
			gotReceipt = true
		default:
			want := receipt
			if !gotDelivery {
				want = delivery
			}
			return &StepError{Want: want + " on the first connection", Got: raw}
		}
	}
	got, raw, err := readJSON(ctx, p.conns[1])
	if err != nil {
		return &StepError{Want: delivery + " on the second connection", Err: err}
	}
	if !isDelivery(got) {
		return &StepError{Want: delivery + " on the second connection", Got: raw}
	}
	return nil
}

// eachOnce shows no second copy is on its way: every post of a send is done
// before its receipt goes out, so on each connection the next frame after it
// is the answer to a new hello.
func (p *prober) eachOnce(ctx context.Context) error {
	for _, c := range p.conns {
		if err := p.ask(ctx, c, map[string]any{"action": "hello", "userName": p.cfg.User},
			fmt.Sprintf(`{"message":"hello, %s!"}`, p.cfg.User), nil); err != nil {
			return err
		}
	}
	return nil
}

// join puts both connections in a room of this run's own, so that the
// member counts are the probe's alone.
func (p *prober) join(ctx context.Context) error {
	p.room = "smoke-" + nonce()
	for i, c := range p.conns {
		want := fmt.Sprintf(`{"action":"join","room":%q,"members":%d}`, p.room, i+1)
		if err := p.ask(ctx, c, map[string]any{"action": "join", "room": p.room}, want, nil); err != nil {
			return err
		}
	}
	return nil
}

// broadcast sends from the first connection to the room: the first gets the
// receipt, the second the message with the receipt's messageId.
func (p *prober) broadcast(ctx context.Context) error {
	text := "smoke " + nonce()
	wantReceipt := fmt.Sprintf(`{"action":"broadcast","room":%q,"recipients":1,"messageId":"…"}`, p.room)
	var messageID string
	if err := p.ask(ctx, p.conns[0], map[string]any{"action": "broadcast", "room": p.room, "message": text}, wantReceipt,
		func(got map[string]any) bool {
			messageID, _ = got["messageId"].(string)
			return got["action"] == "broadcast" && got["room"] == p.room && got["recipients"] == 1.0 && messageID != "" && len(got) == 4
		}); err != nil {
		return err
	}
	want := fmt.Sprintf(`{"room":%q,"from":%q,"message":%q,"sentAt":"<RFC 3339>","messageId":%q} on the second connection`,
		p.room, p.cfg.User, text, messageID)
	got, raw, err := readJSON(ctx, p.conns[1])
	if err != nil {
		return &StepError{Want: want, Got: raw, Err: err}
	}
	sent, _ := got["sentAt"].(string)
	_, perr := time.Parse(time.RFC3339, sent)
	if got["room"] != p.room || got["from"] != p.cfg.User || got["message"] != text || got["messageId"] != messageID || perr != nil || len(got) != 5 {
		return &StepError{Want: want, Got: raw}
	}
	return nil
}

// leave takes both connections out of the room; a broadcast to it is then
// refused, which shows they left.
func (p *prober) leave(ctx context.Context) error {
	for _, c := range p.conns {
		if err := p.ask(ctx, c, map[string]any{"action": "leave", "room": p.room},
			fmt.Sprintf(`{"action":"leave","room":%q}`, p.room), nil); err != nil {
			return err
		}
	}
	return p.ask(ctx, p.conns[0], map[string]any{"action": "broadcast", "room": p.room, "message": "after leaving"},
		`{"error":"not_a_member","message":"…"}`, func(got map[string]any) bool {
			return got["error"] == "not_a_member" && nonEmpty(got["message"]) && len(got) == 2
		})
}

func (p *prober) noToken(ctx context.Context) error {
	return p.refused(ctx, "", http.StatusUnauthorized)
}

func (p *prober) forgedToken(ctx context.Context) error {
	secret := make([]byte, token.MinSecretBytes)
	_, _ = rand.Read(secret)
	forged, err := token.Sign(secret, p.cfg.User, time.Minute, time.Now())
	if err != nil {
		return &StepError{Want: "a forged token", Err: err}
	}
	return p.refused(ctx, forged, http.StatusForbidden)
}

func (p *prober) refused(ctx context.Context, tok string, status int) error {
	want := fmt.Sprintf("handshake refused with %d", status)
	c, resp, err := p.dial(ctx, tok)
	if err == nil {
		_ = c.Close(websocket.StatusNormalClosure, "")
		return &StepError{Want: want, Got: "an open connection"}
	}
	if resp == nil {
		return &StepError{Want: want, Err: err}
	}
	if resp.StatusCode != status {
		return &StepError{Want: want, Got: fmt.Sprintf("%d", resp.StatusCode)}
	}
	return nil
}

// ask sends v as JSON and checks the next frame: equal to want as JSON, or,
// with match, matching it.
func (p *prober) ask(ctx context.Context, c *websocket.Conn, v any, want string, match func(map[string]any) bool) error {
	msg, _ := json.Marshal(v)
	return p.askRaw(ctx, c, string(msg), want, match)
}

func (p *prober) askRaw(ctx context.Context, c *websocket.Conn, msg, want string, match func(map[string]any) bool) error {
	if err := c.Write(ctx, websocket.MessageText, []byte(msg)); err != nil {
		return &StepError{Want: want, Err: err}
	}
	got, raw, err := readJSON(ctx, c)
	if err != nil {
		return &StepError{Want: want, Got: raw, Err: err}
	}
	if match == nil {
		match = func(got map[string]any) bool { return sameJSON(got, want) }
	}
	if !match(got) {
		return &StepError{Want: want, Got: raw}
	}
	return nil
}

func readJSON(ctx context.Context, c *websocket.Conn) (map[string]any, string, error) {
	_, data, err := c.Read(ctx)
	if err != nil {
		return nil, "", fmt.Errorf("no frame: %w", err)
	}
	var got map[string]any
	if err := json.Unmarshal(data, &got); err != nil {
		return nil, string(data), fmt.Errorf("not a JSON object: %q", data)
	}
	return got, string(data), nil
}

func sameJSON(got map[string]any, want string) bool {
	var w map[string]any
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		return false
	}
	a, _ := json.Marshal(got)
	b, _ := json.Marshal(w)
	return string(a) == string(b)
}

func nonEmpty(v any) bool {
	s, ok := v.(string)
	return ok && s != ""
}
