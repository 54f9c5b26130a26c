package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"

	"wsapi/shared/connections"
	"wsapi/shared/logging"
	"wsapi/shared/reply"
)

// maxUserNameRunes bounds userName so a greeting stays one small frame.
const maxUserNameRunes = 64

// Poster sends one frame to one connection.
type Poster interface {
	Post(ctx context.Context, connectionID string, data []byte) error
}

// Handler greets the caller.
type Handler struct {
	// Connections returns the @connections client of the API at domainName and stage.
	Connections func(domainName, stage string) Poster
}

type greeting struct {
	Message string `json:"message"`
}

// Handle replies to the connection that sent the message, the only one a
// hello may reach: a connectionId in the body is ignored.
func (h Handler) Handle(ctx context.Context, req events.APIGatewayWebsocketProxyRequest) (events.APIGatewayProxyResponse, error) {
	rc := req.RequestContext
	poster := h.Connections(rc.DomainName, rc.Stage)

	name, rejected := userName(req.Body)
	if rejected != nil {
		logging.From(ctx).Info().Str("error", rejected.Code).Msg(rejected.Message)
		return reply.Reject(ctx, poster, rc.ConnectionID, rejected)
	}

	frame, err := json.Marshal(greeting{Message: "hello, " + name + "!"})
	if err != nil {
		return events.APIGatewayProxyResponse{StatusCode: http.StatusInternalServerError}, fmt.Errorf("encode greeting: %w", err)
	}
	if err := poster.Post(ctx, rc.ConnectionID, frame); err != nil {
		if errors.Is(err, connections.ErrGone) {
			// The caller left before its answer: nobody is waiting for it.
			return events.APIGatewayProxyResponse{StatusCode: http.StatusGone}, nil
		}
		return events.APIGatewayProxyResponse{StatusCode: http.StatusInternalServerError}, fmt.Errorf("greet: %w", err)
	}
	return events.APIGatewayProxyResponse{StatusCode: http.StatusOK}, nil
}

// userName reads and checks the userName field of a hello message.
func userName(body string) (string, *reply.Error) {
	var msg map[string]json.RawMessage
	if err := json.Unmarshal([]byte(body), &msg); err != nil || msg == nil {
		return "", reply.Errorf(reply.CodeInvalidJSON, "the message must be a JSON object, e.g. {\"action\":\"hello\",\"userName\":\"taro\"}")
	}
	raw, ok := msg["userName"]
	if !ok || string(raw) == "null" {
		return "", reply.Errorf(reply.CodeMissingField, "userName is required")
	}
	var name string
	if err := json.Unmarshal(raw, &name); err != nil {
		return "", reply.Errorf(reply.CodeInvalidField, "userName must be a string")
	}
	// encoding/json turns invalid UTF-8 and lone surrogates into U+FFFD;
	// a name holding one was not valid text to begin with.
	if !utf8.Valid(raw) || strings.ContainsRune(name, utf8.RuneError) {
		return "", reply.Errorf(reply.CodeInvalidField, "userName must be valid UTF-8")
	}
	if strings.TrimSpace(name) == "" {
		return "", reply.Errorf(reply.CodeInvalidField, "userName must not be empty")
	}
	if n := utf8.RuneCountInString(name); n > maxUserNameRunes {
		return "", reply.Errorf(reply.CodeInvalidField, "userName must be at most %d characters, got %d", maxUserNameRunes, n)
	}
	if strings.ContainsFunc(name, unicode.IsControl) {
		return "", reply.Errorf(reply.CodeInvalidField, "userName must not contain control characters")
	}
	return name, nil
}
