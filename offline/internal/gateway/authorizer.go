package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
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

// policy is an authorizer's answer. Statement may be one statement or a
// list, and Action and Resource a string or a list, as in any IAM policy.
type policy struct {
	PrincipalID    string `json:"principalId"`
	PolicyDocument struct {
		Statement json.RawMessage `json:"Statement"`
	} `json:"policyDocument"`
	Context map[string]any `json:"context"`
}

type statement struct {
	Effect   string          `json:"Effect"`
	Action   json.RawMessage `json:"Action"`
	Resource json.RawMessage `json:"Resource"`
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
	out, err := g.cfg.Invoker.InvokeFor(ctx, a.Function, "$connect (authorizer)", payload)
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
	if len(out) > maxAuthorizerResultBytes {
		return nil, http.StatusInternalServerError
	}
	var p policy
	if err := json.Unmarshal(out, &p); err != nil || p.PrincipalID == "" {
		return nil, http.StatusInternalServerError
	}
	statements, ok := p.statements()
	if !ok {
		return nil, http.StatusInternalServerError
	}
	if !allows(statements, methodArn) {
		return nil, http.StatusForbidden
	}
	ctx := make(map[string]any, len(p.Context)+2)
	for k, v := range p.Context {
		switch v.(type) {
		case string, float64, bool:
			ctx[k] = v
		default:
			// API Gateway takes only strings, numbers and booleans.
			return nil, http.StatusInternalServerError
		}
	}
	// The policy's principalId is the caller's identity: a context key of
	// the same name does not replace it.
	ctx["principalId"] = p.PrincipalID
	return ctx, http.StatusOK
}

// statements reads the policy's Statement, one or a list.
func (p policy) statements() ([]statement, bool) {
	var list []statement
	if json.Unmarshal(p.PolicyDocument.Statement, &list) == nil {
		return list, true
	}
	var one statement
	if json.Unmarshal(p.PolicyDocument.Statement, &one) == nil {
		return []statement{one}, true
	}
	return nil, false
}

// allows reports whether some statement allows invoking resource and none
// denies it: an explicit Deny wins wherever it stands.
func allows(statements []statement, resource string) bool {
	allowed := false
	for _, s := range statements {
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

// anyMatch matches value against a policy's string or list of patterns.
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
		if wildcardMatch(pattern, value) {
			return true
		}
	}
	return false
}

// wildcardMatch matches as IAM does: * is any run of characters, slashes
// included, ? is one character, and everything else stands for itself.
func wildcardMatch(pattern, value string) bool {
	// The classic greedy match with one backtrack point: the last *.
	p, v, star, mark := 0, 0, -1, 0
	for v < len(value) {
		switch {
		case p < len(pattern) && (pattern[p] == '?' || pattern[p] == value[v]):
			p++
			v++
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, v
			p++
		case star >= 0:
			mark++
			p, v = star+1, mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
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
