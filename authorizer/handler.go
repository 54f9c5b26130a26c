package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/rs/zerolog"

	"wsapi/authorizer/token"
	"wsapi/shared/invocation"
	"wsapi/shared/logging"
	"wsapi/shared/rooms"
)

// Request is what API Gateway sends a REQUEST authorizer on a WebSocket
// $connect. aws-lambda-go models the REST API form, whose requestContext
// has no connectionId; the WebSocket context replaces it here, so the
// decision is logged against the connection it is about.
type Request struct {
	events.APIGatewayCustomAuthorizerRequestTypeRequest
	RequestContext events.APIGatewayWebsocketProxyRequestContext `json:"requestContext"`
}

// SecretSource gives the key connection tokens are signed with.
type SecretSource interface {
	Secret(ctx context.Context) ([]byte, error)
}

// Handler decides whether a WebSocket handshake may go on to $connect.
//
// The answers, as API Gateway turns them into the handshake's status:
//
//   - a valid token: an Allow policy on the methodArn, principalId and
//     context.userName the user name, which API Gateway hands to every
//     later event of the connection (requestContext.authorizer), and
//     context.rooms the token's rooms claim, when it has one, as JSON text
//     (package rooms reads it);
//   - no token: the error "Unauthorized", the one message API Gateway
//     answers with 401. Deployed, API Gateway already answers 401 without
//     calling us when the identity source (the token query parameter) is
//     missing or empty; this covers direct invocations and the offline gateway;
//   - a token that is there but not good (malformed, forged, another
//     algorithm, expired, bad subject): a Deny policy for principal
//     "anonymous", which API Gateway answers with 403. A Deny is a
//     successful invocation, so the function's Errors metric stays a
//     measure of the authorizer failing, not of clients holding old tokens;
//   - no secret to check with (SSM unreachable, nothing configured): any
//     other error, which API Gateway answers with 500. Not 401: the client's
//     token may be fine, and a retry may succeed.
type Handler struct {
	Secrets SecretSource
	Log     zerolog.Logger
	// Now is the clock tokens are checked against; nil means time.Now.
	Now func() time.Time
}

// principalDenied names the caller of a refused handshake: the token's sub
// cannot be trusted when the token is not.
const principalDenied = "anonymous"

// errUnauthorized is matched by API Gateway on its exact text, capital
// included: any other message, or this one wrapped, is a 500.
var errUnauthorized = errors.New("Unauthorized")

// Handle answers one authorization request.
func (h Handler) Handle(ctx context.Context, req Request) (events.APIGatewayCustomAuthorizerResponse, error) {
	start := time.Now()
	ctx = logging.WithInvocation(ctx, h.Log, invocation.For(ctx, req.RequestContext))
	log := logging.From(ctx)
	done := func(ev *zerolog.Event, decision, reason string) {
		ev.Str("decision", decision).Str("reason", reason).
			Float64("durationMs", float64(time.Since(start).Microseconds())/1000).
			Msg("authorize")
	}

	tok := req.QueryStringParameters["token"]
	if tok == "" {
		done(log.Info(), "unauthorized", "missing_token")
		return events.APIGatewayCustomAuthorizerResponse{}, errUnauthorized
	}
	secret, err := h.Secrets.Secret(ctx)
	if err != nil {
		done(log.Error().Err(err), "error", "secret_unavailable")
		return events.APIGatewayCustomAuthorizerResponse{}, fmt.Errorf("token secret: %w", err)
	}

	grant, err := token.VerifyGrant(secret, tok, h.now())
	user := grant.User
	switch {
	case err == nil:
		values := map[string]any{"userName": user}
		if grant.Rooms != nil {
			// VerifyGrant checked that the claim encodes.
			values[rooms.ContextKey], _ = rooms.Encode(grant.Rooms)
		}
		done(log.Info().Str("userName", user), "allow", "valid_token")
		return policy(user, "Allow", req.MethodArn, values), nil
	case errors.Is(err, token.ErrWeakSecret):
		done(log.Error().Err(err), "error", "secret_unavailable")
		return events.APIGatewayCustomAuthorizerResponse{}, fmt.Errorf("token secret: %w", err)
	default:
		// The error says what is wrong with the token, never the token.
		done(log.Info().Err(err), "deny", reason(err))
		return policy(principalDenied, "Deny", req.MethodArn, nil), nil
	}
}

func (h Handler) now() time.Time {
	if h.Now == nil {
		return time.Now()
	}
	return h.Now()
}

// reason is the log's short name for why a token was refused.
func reason(err error) string {
	switch {
	case errors.Is(err, token.ErrMissing):
		return "missing_token"
	case errors.Is(err, token.ErrMalformed):
		return "malformed_token"
	case errors.Is(err, token.ErrSignature):
		return "bad_signature"
	case errors.Is(err, token.ErrExpired):
		return "expired_token"
	case errors.Is(err, token.ErrInvalidSubject):
		return "invalid_subject"
	case errors.Is(err, token.ErrInvalidRooms):
		return "invalid_rooms"
	default:
		return "invalid_token"
	}
}

func policy(principal, effect, resource string, values map[string]any) events.APIGatewayCustomAuthorizerResponse {
	return events.APIGatewayCustomAuthorizerResponse{
		PrincipalID: principal,
		PolicyDocument: events.APIGatewayCustomAuthorizerPolicy{
			Version: "2012-10-17",
			Statement: []events.IAMPolicyStatement{{
				Action:   []string{"execute-api:Invoke"},
				Effect:   effect,
				Resource: []string{resource},
			}},
		},
		Context: values,
	}
}
