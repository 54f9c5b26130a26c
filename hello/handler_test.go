package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"wsapi/shared/connections"
	"wsapi/shared/invocation"
	"wsapi/shared/logging"
)

type sent struct {
	connectionID string
	data         string
}

// recorder stands in for the @connections API: it keeps what would reach clients.
type recorder struct {
	endpoint string
	frames   []sent
	err      error
}

func (r *recorder) Post(_ context.Context, connectionID string, data []byte) error {
	if r.err != nil {
		return r.err
	}
	r.frames = append(r.frames, sent{connectionID, string(data)})
	return nil
}

func handler(r *recorder) Handler {
	return Handler{Connections: func(domainName, stage string) connections.Poster {
		r.endpoint = connections.Endpoint(domainName, stage)
		return r
	}}
}

func request(body string) events.APIGatewayWebsocketProxyRequest {
	return events.APIGatewayWebsocketProxyRequest{
		Body: body,
		RequestContext: events.APIGatewayWebsocketProxyRequestContext{
			RouteKey:     "hello",
			EventType:    "MESSAGE",
			ConnectionID: "XDmENcnwIE0CFEQ=",
			DomainName:   "abc123.execute-api.ap-northeast-1.amazonaws.com",
			Stage:        "prod",
		},
	}
}

func TestHandle(t *testing.T) {
	tests := []struct {
		name   string
		body   string
		status int
		frame  string
	}{
		{"greets the caller", `{"action":"hello","userName":"taro"}`, 200, `{"message":"hello, taro!"}`},
		{"Japanese name", `{"action":"hello","userName":"太郎"}`, 200, `{"message":"hello, 太郎!"}`},
		{"64 characters", `{"action":"hello","userName":"` + strings.Repeat("あ", 64) + `"}`, 200,
			`{"message":"hello, ` + strings.Repeat("あ", 64) + `!"}`},
		{"escaped JSON in the name stays escaped", `{"action":"hello","userName":"<b>\"x\""}`, 200,
			`{"message":"hello, \u003cb\u003e\"x\"!"}`},
		{"connectionId in the body is ignored", `{"action":"hello","userName":"taro","connectionId":"someoneElse="}`, 200,
			`{"message":"hello, taro!"}`},
		{"not JSON", `hello taro`, 400,
			`{"error":"invalid_json","message":"the message must be a JSON object, e.g. {\"action\":\"hello\",\"userName\":\"taro\"}"}`},
		{"JSON but not an object", `["hello"]`, 400,
			`{"error":"invalid_json","message":"the message must be a JSON object, e.g. {\"action\":\"hello\",\"userName\":\"taro\"}"}`},
		{"JSON null", `null`, 400,
			`{"error":"invalid_json","message":"the message must be a JSON object, e.g. {\"action\":\"hello\",\"userName\":\"taro\"}"}`},
		{"userName missing", `{"action":"hello"}`, 400, `{"error":"missing_field","message":"userName is required"}`},
		{"userName null", `{"action":"hello","userName":null}`, 400, `{"error":"missing_field","message":"userName is required"}`},
		{"userName empty", `{"action":"hello","userName":""}`, 400, `{"error":"invalid_field","message":"userName must not be empty"}`},
		{"userName blank", `{"action":"hello","userName":"  "}`, 400, `{"error":"invalid_field","message":"userName must not be empty"}`},
		{"userName a number", `{"action":"hello","userName":42}`, 400, `{"error":"invalid_field","message":"userName must be a string"}`},
		{"userName an object", `{"action":"hello","userName":{"first":"taro"}}`, 400, `{"error":"invalid_field","message":"userName must be a string"}`},
		{"userName too long", `{"action":"hello","userName":"` + strings.Repeat("a", 65) + `"}`, 400,
			`{"error":"invalid_field","message":"userName must be at most 64 characters, got 65"}`},
		{"userName invalid UTF-8", "{\"action\":\"hello\",\"userName\":\"ta\xffro\"}", 400,
			`{"error":"invalid_field","message":"userName must be valid UTF-8"}`},
		{"userName lone surrogate", `{"action":"hello","userName":"ta\udc00ro"}`, 400,
			`{"error":"invalid_field","message":"userName must be valid UTF-8"}`},
		{"userName with a newline", `{"action":"hello","userName":"ta\nro"}`, 400,
			`{"error":"invalid_field","message":"userName must not contain control characters"}`},
		{"userName with NUL", `{"action":"hello","userName":"ta\u0000ro"}`, 400,
			`{"error":"invalid_field","message":"userName must not contain control characters"}`},
		{"userName given twice", `{"action":"hello","userName":"taro","userName":"hanako"}`, 400,
			`{"error":"invalid_field","message":"userName must be given once"}`},
		{"a field given twice, escaped once", `{"action":"hello","userName":"taro","user\u004eame":"hanako"}`, 400,
			`{"error":"invalid_field","message":"userName must be given once"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{}
			resp, err := handler(rec).Handle(context.Background(), request(tt.body))
			if err != nil {
				t.Fatalf("Handle: %v", err)
			}
			if resp.StatusCode != tt.status {
				t.Errorf("status = %d, want %d", resp.StatusCode, tt.status)
			}
			want := []sent{{"XDmENcnwIE0CFEQ=", tt.frame}}
			if fmt.Sprint(rec.frames) != fmt.Sprint(want) {
				t.Errorf("frames =\n  %q\nwant\n  %q", rec.frames, want)
			}
			if rec.endpoint != "https://abc123.execute-api.ap-northeast-1.amazonaws.com/prod" {
				t.Errorf("endpoint = %q, want the one the event came through", rec.endpoint)
			}
		})
	}
}

func TestHandlePostFails(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		err     error
		status  int
		wantErr bool
	}{
		{"caller gone before the greeting", `{"userName":"taro"}`, fmt.Errorf("post: %w", connections.ErrGone), http.StatusGone, false},
		{"caller gone before the error frame", `{}`, fmt.Errorf("post: %w", connections.ErrGone), http.StatusBadRequest, false},
		{"greeting fails", `{"userName":"taro"}`, errors.New("throttled"), http.StatusInternalServerError, true},
		{"error frame fails", `{}`, errors.New("throttled"), http.StatusBadRequest, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := handler(&recorder{err: tt.err}).Handle(context.Background(), request(tt.body))
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error: %v", err, tt.wantErr)
			}
			if tt.wantErr && !errors.Is(err, tt.err) {
				t.Errorf("err = %v, want it to wrap %v", err, tt.err)
			}
			if resp.StatusCode != tt.status {
				t.Errorf("status = %d, want %d", resp.StatusCode, tt.status)
			}
		})
	}
}

// BenchmarkHandle is the cost of one hello inside the function, logging
// included and the network excluded.
func BenchmarkHandle(b *testing.B) {
	rec := &recorder{}
	log, _ := logging.New(io.Discard, "go-websocket-api-dev-hello", "")
	h := invocation.Logged(log, handler(rec).Handle)
	req := request(`{"action":"hello","userName":"taro"}`)
	ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "8476a536-e9f4-11e8-9739-2dfe598c3fcd"})
	b.ReportAllocs()
	for b.Loop() {
		rec.frames = rec.frames[:0]
		if _, err := h(ctx, req); err != nil {
			b.Fatal(err)
		}
	}
}
