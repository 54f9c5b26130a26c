package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// Authorizer is a Lambda REQUEST authorizer on $connect.
type Authorizer struct {
	Function string
	// IdentitySource lists request parts that must be present, such as
	// route.request.querystring.token; a handshake without one is refused
	// with 401 and the function is not called.
	IdentitySource []string
}

// authorizerEvent is what API Gateway sends a REQUEST authorizer of a
// WebSocket API: the handshake's headers and query string, the methodArn of
// $connect and the connection's requestContext.
type authorizerEvent struct {
	Type                            string                                        `json:"type"`
	MethodArn                       string                                        `json:"methodArn"`
	Headers                         map[string]string                             `json:"headers"`
	MultiValueHeaders               map[string][]string                           `json:"multiValueHeaders"`
	QueryStringParameters           map[string]string                             `json:"queryStringParameters"`
	MultiValueQueryStringParameters map[string][]string                           `json:"multiValueQueryStringParameters"`
	StageVariables                  map[string]string                             `json:"stageVariables"`
	RequestContext                  events.APIGatewayWebsocketProxyRequestContext `json:"requestContext"`
}

// policy is an authorizer's answer. Action and Resource may each be a
// string or a list, so they are read leniently.
type policy struct {
	PrincipalID    string `json:"principalId"`
	PolicyDocument struct {
		Statement []struct {
			Effect   string          `json:"Effect"`
			Action   json.RawMessage `json:"Action"`
			Resource json.RawMessage `json:"Resource"`
		} `json:"Statement"`
	} `json:"policyDocument"`
	Context map[string]any `json:"context"`
}

// authorize runs the authorizer as API Gateway does before $connect. It
// returns the requestContext.authorizer of every later event, or the HTTP
// status that refuses the handshake: 401 without an identity source or when
// the function says "Unauthorized", 403 when its policy does not allow
// $connect, 500 when it fails otherwise.
func (g *Gateway) authorize(ctx context.Context, a *Authorizer, c *conn, ev events.APIGatewayWebsocketProxyRequest) (map[string]any, int) {
	for _, src := range a.IdentitySource {
		if identityValue(src, ev) == "" {
			return nil, http.StatusUnauthorized
		}
	}
	methodArn := fmt.Sprintf("arn:aws:execute-api:%s:%s:%s/%s/$connect", g.cfg.Region, g.cfg.AccountID, g.api.id, g.api.stage)
	payload, err := json.Marshal(authorizerEvent{
		Type: "REQUEST", MethodArn: methodArn,
		Headers: ev.Headers, MultiValueHeaders: ev.MultiValueHeaders,
		QueryStringParameters: ev.QueryStringParameters, MultiValueQueryStringParameters: ev.MultiValueQueryStringParameters,
		StageVariables: map[string]string{},
		RequestContext: ev.RequestContext,
	})
	if err != nil {
		return nil, http.StatusInternalServerError
	}
	start := time.Now()
	out, err := g.cfg.Invoker.Invoke(ctx, a.Function, "$connect (authorizer)", payload)
	latency := time.Since(start)
	if err != nil {
		// The one error message API Gateway maps to 401, exactly: wrapped or
		// reworded, it is a 500.
		var fe interface{ ErrorMessage() string }
		if errors.As(err, &fe) && fe.ErrorMessage() == "Unauthorized" {
			return nil, http.StatusUnauthorized
		}
		g.logf("CONNECT     %s  authorizer %s failed: %v", c.id, a.Function, err)
		return nil, http.StatusInternalServerError
	}
	authz, status := decide(out, methodArn)
	if status == http.StatusInternalServerError {
		g.logf("CONNECT     %s  authorizer %s returned no principalId and policy: %.100s", c.id, a.Function, out)
	}
	if status != http.StatusOK {
		return nil, status
	}
	authz["integrationLatency"] = latency.Milliseconds()
	return authz, http.StatusOK
}

// decide reads an authorizer's answer as API Gateway does: the
// requestContext.authorizer it grants, or the status refusing $connect.
func decide(out []byte, methodArn string) (map[string]any, int) {
	var p policy
	if err := json.Unmarshal(out, &p); err != nil || p.PrincipalID == "" {
		return nil, http.StatusInternalServerError
	}
	if !p.allows(methodArn) {
		return nil, http.StatusForbidden
	}
	ctx := map[string]any{"principalId": p.PrincipalID}
	for k, v := range p.Context {
		ctx[k] = v
	}
	return ctx, http.StatusOK
}

// allows reports whether some statement allows invoking resource and none denies it.
func (p policy) allows(resource string) bool {
	allowed := false
	for _, s := range p.PolicyDocument.Statement {
		if !anyMatch(s.Action, "execute-api:Invoke") || !anyMatch(s.Resource, resource) {
			continue
		}
		switch s.Effect {
		case "Deny":
			return false
		case "Allow":
			allowed = true
		}
	}
	return allowed
}

// anyMatch matches value against a policy's string or list of patterns,
// where * stands for any run of characters.
func anyMatch(raw json.RawMessage, value string) bool {
	var list []string
	if err := json.Unmarshal(raw, &list); err != nil {
		var one string
		if json.Unmarshal(raw, &one) != nil {
			return false
		}
		list = []string{one}
	}
	for _, pattern := range list {
		// path.Match's * stops at '/', which ARNs hold: match across them.
		if ok, _ := path.Match(strings.ReplaceAll(pattern, "/", "\x00"), strings.ReplaceAll(value, "/", "\x00")); ok {
			return true
		}
	}
	return false
}

// identityValue reads one identity source, route.request.header.X or
// route.request.querystring.x, from the $connect event.
func identityValue(src string, ev events.APIGatewayWebsocketProxyRequest) string {
	if name, ok := strings.CutPrefix(src, "route.request.querystring."); ok {
		return ev.QueryStringParameters[name]
	}
	if name, ok := strings.CutPrefix(src, "route.request.header."); ok {
		for k, v := range ev.Headers {
			if strings.EqualFold(k, name) {
				return v
			}
		}
	}
	return ""
}
