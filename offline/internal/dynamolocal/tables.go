package dynamolocal

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"
)

// activeTimeout bounds the wait for one table to become ACTIVE.
const activeTimeout = 30 * time.Second

// Report is what CreateTables did, a line each, for the gateway to print.
type Report struct {
	// Tables has a line per table: "created NAME (key connectionId; index
	// byUser (userName); TTL expiresAt)", or "kept NAME (...)" for a table
	// that a data directory kept from an earlier run.
	Tables []string
	// Warnings name, by their path in the template, what the local
	// tables do differently from the deployed ones, such as a TTL that
	// dynalite does not apply.
	Warnings []string
}

// CreateTables makes, on the DynamoDB API at endpoint, every table not
// there yet, and waits until each is ACTIVE. It turns on the tables' Time to
// Live where the server supports it. What only DynamoDB checks, such as a
// key missing from AttributeDefinitions, comes back as DynamoDB's own
// message after the table's logical id.
func CreateTables(ctx context.Context, endpoint string, tables []*Table) (Report, error) {
	var report Report
	if len(tables) == 0 {
		return report, nil
	}
	client := newClient(endpoint)
	for _, spec := range tables {
		line, warnings, err := ensureTable(ctx, client, spec)
		if err != nil {
			return Report{}, err
		}
		report.Tables = append(report.Tables, line)
		report.Warnings = append(report.Warnings, spec.warnings...)
		report.Warnings = append(report.Warnings, warnings...)
	}
	return report, nil
}

// ensureTable makes spec's table unless it is there, and returns its line
// and what it does differently from the deployed table.
func ensureTable(ctx context.Context, c *dynamodb.Client, spec *Table) (line string, warnings []string, err error) {
	name := aws.ToString(spec.create.TableName)
	verb := "kept"
	_, err = c.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: &name})
	var notFound *types.ResourceNotFoundException
	switch {
	case errors.As(err, &notFound):
		verb = "created"
		_, err = c.CreateTable(ctx, spec.create)
		var inUse *types.ResourceInUseException
		if errors.As(err, &inUse) {
			verb = "kept" // made meanwhile by another gateway on the same data
		} else if err != nil {
			return "", nil, fmt.Errorf("%s: create table %s: %w", spec.path, name, rejection(err))
		}
	case err != nil:
		return "", nil, fmt.Errorf("%s: describe table %s: %w", spec.path, name, rejection(err))
	}
	desc, err := waitActive(ctx, c, name)
	if err != nil {
		return "", nil, fmt.Errorf("%s: %w", spec.path, err)
	}
	parts := summary(desc.KeySchema, indexes(desc))
	if verb == "kept" {
		if want := summary(spec.create.KeySchema, indexes(spec.create)); !slices.Equal(parts, want) {
			warnings = append(warnings, fmt.Sprintf(
				"%s: the table %s kept from an earlier run has %s, not %s: delete the gateway's data directory to make it anew",
				spec.path, name, strings.Join(parts, "; "), strings.Join(want, "; ")))
		}
	}
	if spec.ttl != "" {
		on, err := enableTTL(ctx, c, name, spec.ttl)
		if err != nil {
			return "", nil, fmt.Errorf("%s.Properties.TimeToLiveSpecification: %w", spec.path, err)
		}
		if on {
			parts = append(parts, "TTL "+spec.ttl)
		} else {
			warnings = append(warnings, fmt.Sprintf(
				"%s.Properties.TimeToLiveSpecification: this local DynamoDB (dynalite) has no Time to Live: items stay after their %s has passed, until deleted",
				spec.path, spec.ttl))
		}
	}
	return fmt.Sprintf("%s %s (%s)", verb, name, strings.Join(parts, "; ")), warnings, nil
}

// waitActive polls until the table and its global indexes are ACTIVE.
func waitActive(ctx context.Context, c *dynamodb.Client, name string) (*types.TableDescription, error) {
	ctx, cancel := context.WithTimeout(ctx, activeTimeout)
	defer cancel()
	tick := time.NewTicker(pollEvery)
	defer tick.Stop()
	for {
		out, err := c.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: &name})
		if err != nil {
			return nil, fmt.Errorf("wait for table %s: %w", name, rejection(err))
		}
		if active(out.Table) {
			return out.Table, nil
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("table %s is still %s: %w", name, out.Table.TableStatus, ctx.Err())
		case <-tick.C:
		}
	}
}

func active(t *types.TableDescription) bool {
	if t == nil || t.TableStatus != types.TableStatusActive {
		return false
	}
	for _, gsi := range t.GlobalSecondaryIndexes {
		if gsi.IndexStatus != types.IndexStatusActive {
			return false
		}
	}
	return true
}

// enableTTL turns on Time to Live on attr, reporting false when the server
// has no such operation, as dynalite has not.
func enableTTL(ctx context.Context, c *dynamodb.Client, name, attr string) (bool, error) {
	out, err := c.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: &name})
	if err == nil && out.TimeToLiveDescription != nil &&
		out.TimeToLiveDescription.TimeToLiveStatus == types.TimeToLiveStatusEnabled &&
		aws.ToString(out.TimeToLiveDescription.AttributeName) == attr {
		return true, nil
	}
	if err != nil && !unsupported(err) {
		return false, fmt.Errorf("describe time to live of %s: %w", name, rejection(err))
	}
	_, err = c.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{
		TableName:               &name,
		TimeToLiveSpecification: &types.TimeToLiveSpecification{AttributeName: &attr, Enabled: aws.Bool(true)},
	})
	switch {
	case unsupported(err):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("turn on time to live of %s: %w", name, rejection(err))
	}
	return true, nil
}

func unsupported(err error) bool {
	var api smithy.APIError
	return errors.As(err, &api) && api.ErrorCode() == "UnknownOperationException"
}

// index is what the summary shows of a secondary index.
type index struct {
	name string
	keys []types.KeySchemaElement
}

// indexes lists a table's secondary indexes, global then local, from a
// CreateTableInput or a TableDescription.
func indexes(table any) []index {
	var out []index
	switch t := table.(type) {
	case *dynamodb.CreateTableInput:
		for _, i := range t.GlobalSecondaryIndexes {
			out = append(out, index{aws.ToString(i.IndexName), i.KeySchema})
		}
		for _, i := range t.LocalSecondaryIndexes {
			out = append(out, index{aws.ToString(i.IndexName), i.KeySchema})
		}
	case *types.TableDescription:
		for _, i := range t.GlobalSecondaryIndexes {
			out = append(out, index{aws.ToString(i.IndexName), i.KeySchema})
		}
		for _, i := range t.LocalSecondaryIndexes {
			out = append(out, index{aws.ToString(i.IndexName), i.KeySchema})
		}
	}
	return out
}

// summary describes a table's keys and indexes in a few words:
// "key connectionId", "index byUser (userName)".
func summary(keySchema []types.KeySchemaElement, idx []index) []string {
	parts := []string{"key " + keyNames(keySchema)}
	// DynamoDB does not promise to describe indexes in the order they were
	// declared; sorted, a kept table compares equal to its definition.
	idx = slices.SortedFunc(slices.Values(idx), func(a, b index) int { return strings.Compare(a.name, b.name) })
	for _, i := range idx {
		parts = append(parts, fmt.Sprintf("index %s (%s)", i.name, keyNames(i.keys)))
	}
	return parts
}

// keyNames lists the partition key, then the sort key if any.
func keyNames(keys []types.KeySchemaElement) string {
	names := make([]string, 0, len(keys))
	for _, want := range []types.KeyType{types.KeyTypeHash, types.KeyTypeRange} {
		for _, k := range keys {
			if k.KeyType == want {
				names = append(names, aws.ToString(k.AttributeName))
			}
		}
	}
	return strings.Join(names, ", ")
}

// apiError shortens an SDK error to what the server said, keeping the chain
// for errors.As.
type apiError struct {
	err error
	api smithy.APIError
}

func (e apiError) Error() string { return e.api.ErrorCode() + ": " + e.api.ErrorMessage() }
func (e apiError) Unwrap() error { return e.err }

func rejection(err error) error {
	var api smithy.APIError
	if errors.As(err, &api) {
		return apiError{err: err, api: api}
	}
	return err
}

// Deploy starts dynalite and makes the tables (see CreateTables), as a
// deployment would before any function runs.
func Deploy(ctx context.Context, opts Options, tables []*Table) (*Server, Report, error) {
	s, err := Start(ctx, opts)
	if err != nil {
		return nil, Report{}, err
	}
	report, err := CreateTables(ctx, s.Endpoint(), tables)
	if err != nil {
		_ = s.Close()
		return nil, Report{}, err
	}
	return s, report, nil
}
