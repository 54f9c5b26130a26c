package emulator

import (
	"context"
	"testing"

	"wsapi/offline/internal/gateway"
	"wsapi/offline/internal/lambda"
	"wsapi/offline/internal/lambdaruntime"
	"wsapi/offline/internal/xraydaemon"
)

// callerRuntime answers each invocation with the caller it was counted to.
type callerRuntime struct{}

func (callerRuntime) Invoke(ctx context.Context, _ string, _ []byte, _ string) (*lambdaruntime.Result, error) {
	return &lambdaruntime.Result{Payload: []byte(lambdaruntime.CallerOf(ctx))}, nil
}

// The gateway's invocations are counted to the connection they are for,
// the caller the runtime shares a function's instances out by.
func TestGatewayInvocationsAreTheirConnections(t *testing.T) {
	inv := lambda.New(callerRuntime{}, nil, &xraydaemon.Sampler{})
	inv.Set("hello", lambda.Function{Name: "svc-hello"})
	for _, conn := range []string{"C1", "C2", ""} {
		out, err := forConnections{inv}.InvokeFor(gateway.WithConnection(t.Context(), conn), "hello", "hello", []byte(`{}`))
		if err != nil || string(out) != conn {
			t.Errorf("an invocation for connection %q ran for caller %q (%v)", conn, out, err)
		}
	}
}
