// Package reply is the shape of what a route tells a client that sent a
// message it cannot serve: one JSON frame {"error":"<code>","message":"…"}.
package reply

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/aws/aws-lambda-go/events"

	"wsapi/shared/connections"
)

// Error codes every route uses.
const (
	CodeInvalidJSON  = "invalid_json"
	CodeMissingField = "missing_field"
	CodeInvalidField = "invalid_field"
)

// Error is a client's mistake, told back to that client.
type Error struct {
	Code    string `json:"error"`
	Message string `json:"message"`
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Errorf returns an Error with a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Reject sends e to the caller and returns the 400 status that logs and
// metrics count; the connection stays open. A caller that has already left
// is not an error; any other failed send is returned, so the invocation fails
// and API Gateway tells the client instead.
func Reject(ctx context.Context, p connections.Poster, connectionID string, e *Error) (events.APIGatewayProxyResponse, error) {
	frame, err := json.Marshal(e)
	if err != nil {
		return events.APIGatewayProxyResponse{}, fmt.Errorf("encode error frame: %w", err)
	}
	if err := p.Post(ctx, connectionID, frame); err != nil && !errors.Is(err, connections.ErrGone) {
		return events.APIGatewayProxyResponse{StatusCode: http.StatusBadRequest}, fmt.Errorf("tell caller %s: %w", e.Code, err)
	}
	return events.APIGatewayProxyResponse{StatusCode: http.StatusBadRequest, Body: string(frame)}, nil
}
