package dynamolocal

import "context"

// Endpoint makes a template's tables in a local dynalite, which it starts
// with the first table, at the start or at a reload alike.
type Endpoint struct {
	Options Options
	// Started is called once dynalite serves, with its endpoint.
	Started func(endpoint string)
	// Report is called with what each Create did.
	Report func(Report)

	server *Server
}

// Create makes the tables not there yet, starting dynalite first if it is
// not running.
func (d *Endpoint) Create(ctx context.Context, tables []TableResource) (string, error) {
	specs := make([]*Table, 0, len(tables))
	for _, t := range tables {
		spec, err := ReadTable(t.LogicalID, t.Properties)
		if err != nil {
			return d.endpoint(), err
		}
		specs = append(specs, spec)
	}
	if d.server != nil {
		report, err := CreateTables(ctx, d.server.Endpoint(), specs)
		if err != nil {
			return d.server.Endpoint(), err
		}
		d.report(report)
		return d.server.Endpoint(), nil
	}
	s, report, err := Deploy(ctx, d.Options, specs)
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

func (d *Endpoint) report(r Report) {
	if d.Report != nil {
		d.Report(r)
	}
}

// Close stops dynalite, if it was started.
func (d *Endpoint) Close() error {
	if d.server == nil {
		return nil
	}
	return d.server.Close()
}

// endpoint is dynalite's, or "" before it starts.
func (d *Endpoint) endpoint() string {
	if d.server == nil {
		return ""
	}
	return d.server.Endpoint()
}
