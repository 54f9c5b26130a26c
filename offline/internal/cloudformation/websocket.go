package cloudformation

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// Lambda's defaults for a function that does not set them.
const (
	defaultTimeout  = 3 * time.Second
	defaultMemoryMB = 128
)

// reading is a template's resources on their way into a Service: what
// readService has found so far, and the warnings it has for them.
type reading struct {
	r        *resolver
	raw      map[string]resource
	res      map[string]resource
	apiID    string
	s        *Service
	byARN    map[string]string // function logical id by ARN
	keyOf    map[string]string // function Key by logical id, once added
	noLocal  map[string]bool   // functions already warned about
	warnings []string
}

func readService(r *resolver, raw, resolved map[string]resource) (*Service, error) {
	rd := &reading{r: r, raw: raw, res: resolved, byARN: map[string]string{}, keyOf: map[string]string{}, noLocal: map[string]bool{},
		s: &Service{Routes: map[string]Route{}, Functions: map[string]Function{}, LambdaFunctions: map[string]string{}}}
	var apis []string
	for _, id := range sortedKeys(resolved) {
		res := resolved[id]
		switch res.Type {
		case "AWS::ApiGatewayV2::Api":
			if str(res.Properties["ProtocolType"]) == "WEBSOCKET" {
				apis = append(apis, id)
			} else {
				rd.warnf(id, "a %s API is not emulated: only WebSocket APIs are served", str(res.Properties["ProtocolType"]))
			}
		case "AWS::Lambda::Function":
			rd.s.LambdaFunctions[id] = r.name(id, raw[id])
			rd.byARN[r.functionARN(rd.s.LambdaFunctions[id])] = id
		}
	}
	if len(apis) == 0 {
		return nil, errors.New("the template has no AWS::ApiGatewayV2::Api with ProtocolType WEBSOCKET: nothing to serve")
	}
	for _, id := range apis[1:] {
		rd.warnf(id, "a second WebSocket API: the gateway serves one, %s", apis[0])
	}
	api := resolved[apis[0]]
	rd.apiID = physicalID(r.opts.StackName, apis[0])
	rd.s.APIID = rd.apiID
	rd.s.APIName = str(api.Properties["Name"])
	rd.s.RouteSelectionExpression = str(api.Properties["RouteSelectionExpression"])
	rd.s.Stage = r.opts.Stage
	routeResponses := map[string]bool{}
	var stageID string
	for _, id := range sortedKeys(resolved) {
		res := resolved[id]
		switch res.Type {
		case "AWS::ApiGatewayV2::Stage":
			if rd.ours(res) {
				rd.s.Stage = str(res.Properties["StageName"])
				stageID = id
			}
		case "AWS::ApiGatewayV2::RouteResponse":
			if rd.ours(res) {
				routeResponses[str(res.Properties["RouteId"])] = true
			}
		case "AWS::DynamoDB::Table":
			rd.s.Tables = append(rd.s.Tables, Table{LogicalID: id, Properties: res.Properties})
		case "AWS::DynamoDB::GlobalTable":
			rd.warnf(id, "AWS::DynamoDB::GlobalTable is not made locally; only AWS::DynamoDB::Table is")
		case "AWS::ApiGatewayV2::Api", "AWS::ApiGatewayV2::Route", "AWS::ApiGatewayV2::Integration",
			"AWS::ApiGatewayV2::Authorizer", "AWS::Lambda::Function":
			// Read through the routes that use them.
		case "AWS::SQS::Queue", "AWS::Lambda::EventSourceMapping":
			// Read by queues and eventSourceMappings.
		default:
			if !quiet(res.Type) && !rd.codeBucket(id) {
				rd.warnf(id, "%s is not emulated: a function that uses it reaches nothing local", res.Type)
			}
		}
	}
	for _, id := range sortedKeys(resolved) {
		if res := resolved[id]; res.Type == "AWS::ApiGatewayV2::Route" && rd.ours(res) {
			rd.route(id, res, routeResponses[physicalID(r.opts.StackName, id)])
		}
	}
	rd.throttling(stageID, resolved[stageID])
	rd.queues()
	rd.eventSourceMappings()
	rd.s.Warnings = rd.warnings
	return rd.s, nil
}

// UnmatchedBootstraps warns about each bootstrap given for a function the
// template does not have, naming those it has: bootstraps given by hand
// for a template (-bootstrap) may name a function that is not there.
func (s *Service) UnmatchedBootstraps(bootstraps map[string]Bootstrap) []string {
	var functions []string
	known := map[string]bool{}
	for _, id := range sortedKeys(s.LambdaFunctions) {
		name := s.LambdaFunctions[id]
		known[id], known[name] = true, true
		functions = append(functions, fmt.Sprintf("%s (FunctionName %s)", id, name))
	}
	var warnings []string
	for _, key := range sortedKeys(bootstraps) {
		if !known[key] {
			warnings = append(warnings, fmt.Sprintf("%s: a bootstrap is given for %s, but the template has no AWS::Lambda::Function with that logical id or FunctionName; its functions: %s",
				key, key, strings.Join(functions, ", ")))
		}
	}
	return warnings
}

func (rd *reading) warnf(id, format string, args ...any) {
	rd.warnings = append(rd.warnings, id+": "+fmt.Sprintf(format, args...))
}

// ours reports whether a route, integration or stage belongs to the API
// served.
func (rd *reading) ours(res resource) bool { return str(res.Properties["ApiId"]) == rd.apiID }

// codeBucket reports whether a bucket only holds functions' code, as the
// deployment bucket that the Serverless Framework adds does.
func (rd *reading) codeBucket(id string) bool {
	for _, res := range rd.raw {
		if code, ok := res.Properties["Code"].(map[string]any); ok && res.Type == "AWS::Lambda::Function" {
			if ref, ok := code["S3Bucket"].(map[string]any); ok && ref["Ref"] == id {
				return true
			}
		}
	}
	return false
}

// byID finds the resource of a type whose Ref is ref.
func (rd *reading) byID(typ, ref string) (string, resource, bool) {
	for id, res := range rd.res {
		if res.Type == typ && physicalID(rd.r.opts.StackName, id) == ref {
			return id, res, true
		}
	}
	return "", resource{}, false
}

func (rd *reading) route(id string, res resource, hasRouteResponse bool) {
	p := res.Properties
	key := str(p["RouteKey"])
	notServed := func(format string, args ...any) {
		rd.warnf(id, "route %s: %s: not served", key, fmt.Sprintf(format, args...))
	}
	switch auth := str(p["AuthorizationType"]); auth {
	case "", "NONE", "CUSTOM":
	case "AWS_IAM":
		notServed("AuthorizationType AWS_IAM asks for SigV4-signed handshakes, and the gateway has no IAM to check them against")
		return
	default:
		notServed("AuthorizationType %s is not one a WebSocket API takes", auth)
		return
	}
	target, ok := strings.CutPrefix(str(p["Target"]), "integrations/")
	if !ok {
		notServed("no Target integrations/{IntegrationId}")
		return
	}
	intID, integration, ok := rd.byID("AWS::ApiGatewayV2::Integration", target)
	if !ok {
		notServed("its Target %s is no integration of this template", target)
		return
	}
	if typ := str(integration.Properties["IntegrationType"]); typ != "AWS_PROXY" {
		notServed("integration %s is %s %s, and the gateway emulates only AWS_PROXY to a function of the template",
			intID, typ, str(integration.Properties["IntegrationUri"]))
		return
	}
	fn, ok := rd.function(integration.Properties["IntegrationUri"])
	if !ok {
		notServed("integration %s calls %s, which is not a function of this template", intID, str(integration.Properties["IntegrationUri"]))
		return
	}
	route := Route{Key: key}
	// Both the function and the authorizer's are looked at, so that every
	// function with no bootstrap is named.
	route.Function, _ = rd.add(fn)
	if str(p["AuthorizationType"]) == "CUSTOM" {
		authID, a, ok := rd.byID("AWS::ApiGatewayV2::Authorizer", str(p["AuthorizerId"]))
		if !ok {
			notServed("its AuthorizerId %s is no authorizer of this template", str(p["AuthorizerId"]))
			return
		}
		if typ := str(a.Properties["AuthorizerType"]); typ != "REQUEST" {
			notServed("authorizer %s is %s, and a WebSocket API takes REQUEST authorizers", authID, typ)
			return
		}
		fn, ok := rd.function(a.Properties["AuthorizerUri"])
		if !ok {
			notServed("authorizer %s calls %s, which is not a function of this template", authID, str(a.Properties["AuthorizerUri"]))
			return
		}
		authFn, ok := rd.add(fn)
		if !ok {
			return
		}
		route.Authorizer = &Authorizer{Function: authFn, IdentitySource: strs(a.Properties["IdentitySource"])}
	}
	if route.Function == "" {
		return
	}
	expr := str(p["RouteResponseSelectionExpression"])
	switch {
	case expr != "" && hasRouteResponse:
		route.RouteResponse = true
	case expr != "":
		rd.warnf(id, "route %s has a RouteResponseSelectionExpression but no AWS::ApiGatewayV2::RouteResponse: the function's body is not sent back", key)
	case hasRouteResponse:
		rd.warnf(id, "route %s has a RouteResponse but no RouteResponseSelectionExpression: the function's body is not sent back", key)
	}
	rd.s.Routes[key] = route
}

// function finds the function an integration or authorizer URI invokes:
// arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{arn}/invocations.
func (rd *reading) function(uri any) (string, bool) {
	arn := str(uri)
	if _, rest, ok := strings.Cut(arn, ":lambda:path/2015-03-31/functions/"); ok {
		arn = strings.TrimSuffix(rest, "/invocations")
	}
	id, ok := rd.byARN[arn]
	return id, ok
}

// add makes a function served and returns its Key; false when it has no
// bootstrap here, which is warned about once.
func (rd *reading) add(id string) (string, bool) {
	if key, ok := rd.keyOf[id]; ok {
		return key, true
	}
	if rd.noLocal[id] {
		return "", false
	}
	p := rd.res[id].Properties
	fn := Function{
		LogicalID: id,
		Key:       id,
		Name:      rd.r.name(id, rd.raw[id]),
		Env:       map[string]string{},
		Timeout:   defaultTimeout,
		MemoryMB:  defaultMemoryMB,
		Tracing:   "PassThrough",
	}
	b, ok := rd.r.opts.Bootstraps[id]
	if !ok {
		b = rd.r.opts.Bootstraps[fn.Name]
	}
	fn.Bootstrap = b.Path
	if b.Key != "" {
		fn.Key = b.Key
	}
	if _, err := os.Stat(fn.Bootstrap); fn.Bootstrap == "" || err != nil {
		rd.noLocal[id] = true
		where := "no bootstrap was given"
		if fn.Bootstrap != "" {
			where = "no bootstrap at " + fn.Bootstrap
		}
		rd.warnf(id, "function %s: %s: build it with `%s`; its routes are not served", fn.Name, where, rd.r.opts.BuildCommand)
		return "", false
	}
	if env, ok := p["Environment"].(map[string]any); ok {
		vars, _ := env["Variables"].(map[string]any)
		for k, v := range vars {
			if v != nil {
				fn.Env[k] = scalar(v)
			}
		}
	}
	if n, ok := number(p["Timeout"]); ok {
		fn.Timeout = time.Duration(n) * time.Second
	}
	if n, ok := number(p["MemorySize"]); ok {
		fn.MemoryMB = n
	}
	if tc, ok := p["TracingConfig"].(map[string]any); ok && str(tc["Mode"]) != "" {
		fn.Tracing = str(tc["Mode"])
	}
	if _, taken := rd.s.Functions[fn.Key]; taken {
		fn.Key = id // two bootstraps in directories of the same name
	}
	rd.s.Functions[fn.Key] = fn
	rd.keyOf[id] = fn.Key
	return fn.Key, true
}

func str(v any) string {
	if v == nil {
		return ""
	}
	return scalar(v)
}

func strs(v any) []string {
	list, _ := v.([]any)
	out := make([]string, 0, len(list))
	for _, x := range list {
		out = append(out, str(x))
	}
	return out
}

// number reads a whole number, written as one or as a string.
func number(v any) (int, bool) {
	switch x := v.(type) {
	case float64:
		return int(x), true
	case string:
		n, err := strconv.Atoi(x)
		return n, err == nil
	}
	return 0, false
}
