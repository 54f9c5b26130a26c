package stack

import (
	"context"

	"wsapi/offline/internal/cloudformation"
	"wsapi/offline/internal/dynamolocal"
)

// Dynalite makes tables in a local dynalite, which it starts with the
// first table, at the start or at a reload alike.
type Dynalite struct {
	Options dynamolocal.Options
	// Started is called once dynalite serves, with its endpoint.
	Started func(endpoint string)
	// Report is called with what each Create did.
	Report func(dynamolocal.Report)

	server *dynamolocal.Server
}

// Create makes the tables not there yet, starting dynalite first if it is
// not running.
func (d *Dynalite) Create(ctx context.Context, tables []cloudformation.Table) (string, error) {
	specs := make([]*dynamolocal.Table, 0, len(tables))
	for _, t := range tables {
		spec, err := dynamolocal.ReadTable(t.LogicalID, t.Properties)
		if err != nil {
			return d.endpoint(), err
		}
		specs = append(specs, spec)
	}
	if d.server != nil {
		report, err := dynamolocal.CreateTables(ctx, d.server.Endpoint(), specs)
		if err != nil {
			return d.server.Endpoint(), err
		}
		d.report(report)
		return d.server.Endpoint(), nil
	}
	s, report, err := dynamolocal.Deploy(ctx, d.Options, specs)
	if err != nil {
		return "", err
	}
	d.server = s
	d.report(report)
	if d.Started != nil {
		d.Started(s.Endpoint())
	}
	return s.Endpoint(), nil
}

func (d *Dynalite) report(r dynamolocal.Report) {
	if d.Report != nil {
		d.Report(r)
	}
}

// Close stops dynalite, if it was started.
func (d *Dynalite) Close() error {
	if d.server == nil {
		return nil
	}
	return d.server.Close()
}

// endpoint is dynalite's, or "" before it starts.
func (d *Dynalite) endpoint() string {
	if d.server == nil {
		return ""
	}
	return d.server.Endpoint()
}
