// Package emulator is the offline gateway's composition root: it puts
// together, on this machine, the AWS services of one region that a template
// deploys onto (an X-Ray daemon, Lambda with its runtime and event source
// mappings, DynamoDB, SQS, and the API Gateway endpoint) and the
// Deployment that applies a template to them, at the start and at every
// reload alike.
package emulator

import (
	"context"
	"fmt"
	"io"
	"time"

	"wsapi/offline/internal/deploy"
	"wsapi/offline/internal/eventsource"
	"wsapi/offline/internal/gateway"
	"wsapi/offline/internal/lambda"
	"wsapi/offline/internal/lambdaruntime"
	"wsapi/offline/internal/sqslocal"
	"wsapi/offline/internal/xraydaemon"
	"wsapi/offline/internal/xraydaemon/xraytrace"
)

// TablesCloser is the local DynamoDB, which Close stops.
type TablesCloser interface {
	Tables
	io.Closer
}

// Config is what New needs beyond the service.
type Config struct {
	// Traces gets each completed trace; nil prints none, but the daemon
	// still listens: in Lambda there is always one, and functions sending
	// to nothing log errors.
	Traces   func(*xraytrace.Trace)
	TraceAll bool // trace every invocation, not Lambda's sample
	Tables   TablesCloser

	// MalformedDatagram is told why the first datagram the daemon could
	// not read was refused.
	MalformedDatagram func(error)

	// QueuesStarted is told the SQS endpoint once the first queue is
	// served; Moved, each message a queue moves to its dead-letter queue.
	QueuesStarted func(endpoint string)
	Moved         func(sqslocal.Moved)
	// Gateway holds the endpoint's limits and log; New fills in the rest.
	Gateway gateway.Config
	Deploy  DeployConfig // Env, MaxInstances and OpenLog; New fills in the rest
}

// Emulator is the services, running, and what is deployed on them.
type Emulator struct {
	Daemon     *xraydaemon.Daemon
	Gateway    *gateway.Gateway
	Deployment *Deployment
	tables     TablesCloser
}

// New starts the services svc is served by, in region, with nothing
// deployed yet.
func New(svc *deploy.Service, region string, cfg Config) (*Emulator, error) {
	daemon, err := xraydaemon.Listen("127.0.0.1:0", xraydaemon.Config{OnComplete: cfg.Traces, OnMalformed: cfg.MalformedDatagram})
	if err != nil {
		return nil, err
	}
	rt, err := lambdaruntime.New(lambdaruntime.Options{Region: region, XRayDaemonAddr: daemon.Addr()})
	if err != nil {
		_ = daemon.Close()
		return nil, err
	}
	invoker := lambda.New(rt, daemon, &xraydaemon.Sampler{All: cfg.TraceAll})
	g := cfg.Gateway
	g.APIID, g.AccountID, g.Region, g.Stage = svc.APIID, lambdaruntime.AccountID, region, svc.Stage
	g.RouteSelectionExpression, g.Invoker = svc.RouteSelectionExpression, forConnections{invoker}
	g.AccessKeyID, g.SecretAccessKey, g.SessionToken = lambdaruntime.AccessKeyID, lambdaruntime.SecretAccessKey, lambdaruntime.SessionToken
	gw, err := gateway.New(g)
	if err != nil {
		_ = daemon.Close()
		return nil, err
	}
	queues := &sqslocal.Endpoint{
		Server:  sqslocal.New(sqslocal.Options{Region: region, AccountID: lambdaruntime.AccountID, OnMoved: cfg.Moved}),
		Started: cfg.QueuesStarted,
	}
	d := cfg.Deploy
	d.Runtime, d.Invoker, d.Router, d.Tables = rt, invoker, gw, cfg.Tables
	// The pollers outlive any one request: Close stops them.
	d.Queues, d.Mappings = queues, eventsource.New(context.Background(), queues.Server, invoker, nil)
	return &Emulator{Daemon: daemon, Gateway: gw, Deployment: NewDeployment(d), tables: cfg.Tables}, nil
}

// forConnections invokes for the gateway, each invocation counted to the
// connection it is for when a function's instances are shared out, so that
// one client's flood waits its turn behind the others' messages.
type forConnections struct{ *lambda.Invoker }

func (i forConnections) InvokeFor(ctx context.Context, key, route string, payload []byte) ([]byte, error) {
	return i.Invoker.InvokeFor(lambdaruntime.WithCaller(ctx, gateway.ConnectionOf(ctx)), key, route, payload)
}

// Close stops the functions, the tables and the daemon.
func (e *Emulator) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	// The deployment stops the pollers (their batches in flight may still
	// send to a queue), then the functions, the queues and the logs.
	_ = e.Deployment.Close(ctx)
	_ = e.tables.Close()
	_ = e.Daemon.Close()
}

// Serve serves the API on port, which Open has handed the gateway, until
// ctx ends, then closes every connection as API Gateway does when it goes
// away (1001, running their $disconnect), telling stopping how many first.
func (e *Emulator) Serve(ctx context.Context, port *gateway.Port, stopping func(connections int)) error {
	select {
	case err := <-port.Served():
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	stopping(e.Gateway.Connections())
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	err := e.Gateway.Shutdown(shutdownCtx)
	_ = port.Close()
	return err
}
