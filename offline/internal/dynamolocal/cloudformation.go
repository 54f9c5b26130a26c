package dynamolocal

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"wsapi/offline/internal/cloudformation"
)

// ResourceTypes are the resource types dynamolocal reads.
var ResourceTypes = []string{"AWS::DynamoDB::Table", "AWS::DynamoDB::GlobalTable"}

// TableResource is an AWS::DynamoDB::Table of a template, its properties
// resolved: CreateTable's fields, which ReadTable translates when the table
// is made.
type TableResource struct {
	LogicalID  string
	Properties map[string]any
}

// ReadTables reads the template's tables, sorted by logical id, warning
// about each global table: only AWS::DynamoDB::Table is made locally.
func ReadTables(t *cloudformation.Template) []TableResource {
	var tables []TableResource
	for _, id := range t.OfType("AWS::DynamoDB::Table") {
		tables = append(tables, TableResource{LogicalID: id, Properties: t.Properties(id)})
	}
	for _, id := range t.OfType("AWS::DynamoDB::GlobalTable") {
		t.Warnf(id, "AWS::DynamoDB::GlobalTable is not made locally; only AWS::DynamoDB::Table is")
	}
	return tables
}

// Table is one AWS::DynamoDB::Table resource, read once into the calls
// that make it.
type Table struct {
	path     string // the logical id, for messages
	create   *dynamodb.CreateTableInput
	ttl      string // the TTL attribute, "" when TTL is off
	warnings []string
}

// The properties of AWS::DynamoDB::Table are CreateTable's fields, by the
// same names and shapes, except these: they are other calls, have other
// shapes, or change nothing a function sees of a local table. Those that
// would are named in a warning.
var (
	notCreateTable = []string{
		"TimeToLiveSpecification", "SSESpecification", "PointInTimeRecoverySpecification",
		"ContributorInsightsSpecification", "ResourcePolicy", "WarmThroughput",
		"StreamSpecification", "KinesisStreamSpecification", "ImportSourceSpecification",
	}
	notLocal = map[string]string{
		"StreamSpecification":        "dynalite has no streams, so nothing reads this table's changes locally",
		"KinesisStreamSpecification": "nothing is sent to Kinesis locally",
		"ImportSourceSpecification":  "the local table starts empty: nothing is imported from S3",
	}
)

// ReadTable translates the resolved properties of the table whose logical
// id is id into CreateTable's input by structure: what is left once the
// properties CreateTable does not take are set aside decodes straight into
// dynamodb.CreateTableInput. A malformed definition is an error naming its
// path, such as ConnectionsTable.Properties.KeySchema.
func ReadTable(id string, props map[string]any) (*Table, error) {
	spec := &Table{path: id}
	if props == nil {
		return nil, fmt.Errorf("%s.Properties: required", id)
	}
	create := maps.Clone(props)
	for _, key := range notCreateTable {
		delete(create, key)
		if _, ok := props[key]; ok && notLocal[key] != "" {
			spec.warnings = append(spec.warnings, fmt.Sprintf("%s.Properties.%s: %s", id, key, notLocal[key]))
		}
	}
	if _, ok := create["TableName"]; !ok {
		// CloudFormation would make up a name; the logical id is one a reader
		// of the template recognises in the gateway's output.
		create["TableName"] = id
		spec.warnings = append(spec.warnings, fmt.Sprintf(
			"%s.Properties.TableName: not set: CloudFormation would generate a name; the local table is named %s", id, id))
	}
	var err error
	if spec.create, err = decodeCreateTable(create); err != nil {
		return nil, fmt.Errorf("%s.Properties%w", id, err)
	}
	if spec.ttl, err = timeToLive(props["TimeToLiveSpecification"]); err != nil {
		return nil, fmt.Errorf("%s.Properties.TimeToLiveSpecification: %w", id, err)
	}
	return spec, nil
}

// decodeCreateTable decodes properties into CreateTable's input, refusing
// a property it does not have. CloudFormation takes numbers written as
// strings ("5"); a string where a number belongs is read as one.
func decodeCreateTable(props map[string]any) (*dynamodb.CreateTableInput, error) {
	for {
		data, err := json.Marshal(props)
		if err != nil {
			return nil, fmt.Errorf(": %w", err)
		}
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.DisallowUnknownFields()
		in := &dynamodb.CreateTableInput{}
		err = dec.Decode(in)
		var typeErr *json.UnmarshalTypeError
		switch {
		case err == nil:
			return in, nil
		case errors.As(err, &typeErr):
			if typeErr.Value == "string" && numberAt(props, strings.Split(typeErr.Field, ".")) {
				continue
			}
			return nil, fmt.Errorf(".%s: want %s, got %s", typeErr.Field, typeErr.Type, typeErr.Value)
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			field, _ := strconv.Unquote(strings.TrimPrefix(err.Error(), "json: unknown field "))
			return nil, fmt.Errorf(": %s is not a property of AWS::DynamoDB::Table that the gateway knows", field)
		default:
			return nil, fmt.Errorf(": %w", err)
		}
	}
}

// numberAt replaces the numeric string at path (fields of mappings, an
// element of a list standing for all of them) with its number, reporting
// whether it did.
func numberAt(v any, path []string) bool {
	switch x := v.(type) {
	case map[string]any:
		if len(path) == 0 {
			return false
		}
		if len(path) == 1 {
			s, ok := x[path[0]].(string)
			n, err := strconv.ParseInt(s, 10, 64)
			if ok && err == nil {
				x[path[0]] = n
				return true
			}
			return false
		}
		return numberAt(x[path[0]], path[1:])
	case []any:
		return slices.ContainsFunc(x, func(e any) bool { return numberAt(e, path) })
	}
	return false
}

// timeToLive returns the attribute TTL reads, or "" when TTL is off.
func timeToLive(v any) (string, error) {
	if v == nil {
		return "", nil
	}
	var spec struct {
		AttributeName string
		Enabled       any
	}
	data, _ := json.Marshal(v)
	if err := json.Unmarshal(data, &spec); err != nil {
		return "", fmt.Errorf("want a mapping of AttributeName and Enabled, got %s", data)
	}
	// CloudFormation takes "true" and "false" as booleans.
	on, ok := spec.Enabled.(bool)
	if s, isString := spec.Enabled.(string); isString && (s == "true" || s == "false") {
		on, ok = s == "true", true
	}
	switch {
	case !ok:
		return "", fmt.Errorf("want Enabled true or false, got %v", spec.Enabled)
	case !on:
		return "", nil
	case spec.AttributeName == "":
		return "", errors.New("no AttributeName, which Enabled needs")
	}
	return spec.AttributeName, nil
}
