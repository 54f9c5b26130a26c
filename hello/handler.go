package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/aws/aws-lambda-go/events"

	"wsapi/shared/connections"
	"wsapi/shared/logging"
	"wsapi/shared/message"
	"wsapi/shared/reply"
	"wsapi/shared/username"
)

// Handler greets the caller.
type Handler struct {
	// Connections returns the @connections client of the API at domainName and stage.
	Connections func(domainName, stage string) connections.Poster
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
	msg, rejected := message.Fields(body, `{"action":"hello","userName":"taro"}`)
	if rejected != nil {
		return "", rejected
	}
	name, rejected := message.StringField(msg, "userName")
	if rejected != nil {
		return "", rejected
	}
	if err := username.Check(name); err != nil {
		return "", reply.Errorf(reply.CodeInvalidField, "userName %v", err)
	}
	return name, nil
}
