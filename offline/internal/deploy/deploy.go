// Package deploy reads what a CloudFormation template deploys that the
// offline gateway serves, each AWS service reading its own resources: the
// WebSocket API's routes, their authorizers and throttling (gateway), the
// functions they use (cloudformation), the tables (dynamolocal makes them),
// the queues (sqslocal) and the event source mappings (eventsource).
package deploy

import (
	"fmt"
	"slices"
	"strings"

	"wsapi/offline/internal/cloudformation"
	"wsapi/offline/internal/dynamolocal"
	"wsapi/offline/internal/eventsource"
	"wsapi/offline/internal/gateway"
	"wsapi/offline/internal/sqslocal"
)

// Service is what a template deploys that the gateway serves.
type Service struct {
	Name                     string
	Region                   string
	APIName                  string
	APIID                    string
	Stage                    string
	RouteSelectionExpression string
	// Throttle is the stage's DefaultRouteSettings throttling, each route's
	// unless its RouteSettings say otherwise; nil when it sets none.
	Throttle *gateway.Throttle
	// Routes by route key.
	Routes map[string]gateway.Route
	// Functions that a route, an authorizer or an event source mapping
	// uses, by Key.
	Functions map[string]cloudformation.Function
	// LambdaFunctions are the FunctionNames of every AWS::Lambda::Function
	// of the template, served or not, by logical id.
	LambdaFunctions map[string]string
	// Tables, Queues and EventSourceMappings are sorted by logical id.
	Tables              []dynamolocal.TableResource
	Queues              []sqslocal.QueueResource
	EventSourceMappings []eventsource.MappingResource
	// Warnings each name a logical id and what the gateway does not do as
	// AWS would with it.
	Warnings []string
}

// Options place the stack (cloudformation.Options) and name what it
// serves.
type Options struct {
	cloudformation.Options
	// Stage is the stage served when the template declares none.
	Stage string
	// Name is what the service is called: serverless.yml's service; ""
	// is the API's Name.
	Name string
}

// LoadFile reads the template at path, as Load does.
func LoadFile(path string, opts Options) (*Service, error) {
	t, err := cloudformation.LoadFile(path, opts.Options)
	if err != nil {
		return nil, err
	}
	s, err := read(t, opts)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return s, nil
}

// Load reads a JSON or YAML template into what the gateway serves.
func Load(data []byte, opts Options) (*Service, error) {
	t, err := cloudformation.Load(data, opts.Options)
	if err != nil {
		return nil, err
	}
	return read(t, opts)
}

// readTypes are the resource types that a service reads, each listed
// beside its reading, and the functions, served as what uses them needs
// them.
var readTypes = slices.Concat(gateway.ResourceTypes, dynamolocal.ResourceTypes, sqslocal.ResourceTypes,
	eventsource.ResourceTypes, []string{"AWS::Lambda::Function"})

// read has each service read its resources in turn, in the order of
// Service's fields, then names the resources none of them reads: the order
// their warnings are given in. The API comes first, since a template
// without one is refused; the routes serve their functions before the
// mappings do, so a function both use takes its key and its warning there.
func read(t *cloudformation.Template, opts Options) (*Service, error) {
	api, err := gateway.ReadAPI(t, opts.Stage)
	if err != nil {
		return nil, err
	}
	s := &Service{Name: opts.Name, Region: t.Region(), APIName: api.Name, APIID: api.ID, Stage: api.Stage,
		RouteSelectionExpression: api.RouteSelectionExpression}
	if s.Name == "" {
		s.Name = s.APIName
	}
	s.Routes, s.Throttle = api.ReadRoutes(t), api.Throttle
	s.Tables = dynamolocal.ReadTables(t)
	s.Queues = sqslocal.ReadQueues(t)
	s.EventSourceMappings = eventsource.ReadMappings(t)
	t.NotEmulated(readTypes)
	s.Functions = t.Functions
	s.LambdaFunctions = t.LambdaFunctions
	s.Warnings = t.Warnings()
	return s, nil
}

// UnmatchedBootstraps warns about each bootstrap given for a function the
// template does not have, naming those it has: bootstraps given by hand
// for a template (-bootstrap) may name a function that is not there.
func (s *Service) UnmatchedBootstraps(bootstraps map[string]cloudformation.Bootstrap) []string {
	return cloudformation.UnmatchedBootstraps(s.LambdaFunctions, bootstraps)
}

// NothingServed returns a *NothingServedError when s has no route to
// serve, saying why from its warnings: a template that nothing will build
// the bootstraps of later is refused for it.
func NothingServed(s *Service) error {
	if len(s.Routes) > 0 {
		return nil
	}
	return &NothingServedError{API: s.APIName, Warnings: s.Warnings}
}

// NothingServedError is returned for a template whose WebSocket API has no
// route the gateway can serve; its warnings say why for each.
type NothingServedError struct {
	API      string
	Warnings []string
}

func (e *NothingServedError) Error() string {
	why := "it has no AWS::ApiGatewayV2::Route"
	if len(e.Warnings) > 0 {
		why = strings.Join(e.Warnings, "; ")
	}
	return fmt.Sprintf("nothing to serve: no route of the WebSocket API %s can be served: %s", e.API, why)
}
