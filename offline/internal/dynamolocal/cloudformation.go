package dynamolocal

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// tableSpec is one AWS::DynamoDB::Table resource, read into the calls that
// make it.
type tableSpec struct {
	path     string // resources.Resources.<logical id>, for messages
	create   *dynamodb.CreateTableInput
	ttl      string // the TTL attribute, "" when TTL is off
	warnings []string
}

// What a table resource may hold (AWS::DynamoDB::Table in the CloudFormation
// template reference). Each is either made locally, warned about, or of no
// consequence to a local table (encryption, backups, tags, capacity
// settings dynalite ignores).
var (
	tableProperties = []string{
		"AttributeDefinitions", "BillingMode", "ContributorInsightsSpecification",
		"DeletionProtectionEnabled", "GlobalSecondaryIndexes", "ImportSourceSpecification",
		"KeySchema", "KinesisStreamSpecification", "LocalSecondaryIndexes",
		"OnDemandThroughput", "PointInTimeRecoverySpecification", "ProvisionedThroughput",
		"ResourcePolicy", "SSESpecification", "StreamSpecification", "TableClass",
		"TableName", "Tags", "TimeToLiveSpecification", "WarmThroughput",
	}
	notLocal = map[string]string{
		"StreamSpecification":        "dynalite has no streams, so nothing reads this table's changes locally",
		"KinesisStreamSpecification": "nothing is sent to Kinesis locally",
		"ImportSourceSpecification":  "the local table starts empty: nothing is imported from S3",
	}
)

func readTable(id string, resource map[string]any) (*tableSpec, error) {
	root := value{path: "resources.Resources." + id, v: resource}
	spec := &tableSpec{path: root.path, create: &dynamodb.CreateTableInput{}}
	props, err := root.field("Properties").object()
	if err != nil {
		return nil, err
	}
	for _, key := range sortedKeys(props.v.(map[string]any)) {
		switch {
		case !slices.Contains(tableProperties, key):
			spec.warnf(props.field(key), "not a property of AWS::DynamoDB::Table: CloudFormation would reject it")
		case notLocal[key] != "":
			spec.warnf(props.field(key), "%s", notLocal[key])
		}
	}
	in := spec.create

	if name := props.field("TableName"); name.present() {
		s, err := name.str()
		if err != nil {
			return nil, err
		}
		in.TableName = &s
	} else {
		// CloudFormation would make up a name; the logical id is one that a
		// reader of serverless.yml recognises in the gateway's output.
		in.TableName = aws.String(id)
		spec.warnf(name, "not set: CloudFormation would generate a name; the local table is named %s", id)
	}
	if in.AttributeDefinitions, err = list(props.field("AttributeDefinitions"), true, attributeDefinition); err != nil {
		return nil, err
	}
	if in.KeySchema, err = list(props.field("KeySchema"), true, keySchemaElement); err != nil {
		return nil, err
	}
	if mode := props.field("BillingMode"); mode.present() {
		s, err := mode.oneOf("PROVISIONED", "PAY_PER_REQUEST")
		if err != nil {
			return nil, err
		}
		in.BillingMode = types.BillingMode(s)
	}
	if in.ProvisionedThroughput, err = provisionedThroughput(props.field("ProvisionedThroughput")); err != nil {
		return nil, err
	}
	if in.GlobalSecondaryIndexes, err = list(props.field("GlobalSecondaryIndexes"), false, globalSecondaryIndex); err != nil {
		return nil, err
	}
	if in.LocalSecondaryIndexes, err = list(props.field("LocalSecondaryIndexes"), false, localSecondaryIndex); err != nil {
		return nil, err
	}
	if spec.ttl, err = timeToLive(props.field("TimeToLiveSpecification")); err != nil {
		return nil, err
	}
	return spec, nil
}

func (t *tableSpec) warnf(at value, format string, args ...any) {
	t.warnings = append(t.warnings, at.path+": "+fmt.Sprintf(format, args...))
}

func attributeDefinition(v value) (types.AttributeDefinition, error) {
	name, err := v.field("AttributeName").str()
	if err != nil {
		return types.AttributeDefinition{}, err
	}
	typ, err := v.field("AttributeType").oneOf("S", "N", "B")
	return types.AttributeDefinition{AttributeName: &name, AttributeType: types.ScalarAttributeType(typ)}, err
}

func keySchemaElement(v value) (types.KeySchemaElement, error) {
	name, err := v.field("AttributeName").str()
	if err != nil {
		return types.KeySchemaElement{}, err
	}
	typ, err := v.field("KeyType").oneOf("HASH", "RANGE")
	return types.KeySchemaElement{AttributeName: &name, KeyType: types.KeyType(typ)}, err
}

func globalSecondaryIndex(v value) (types.GlobalSecondaryIndex, error) {
	var gsi types.GlobalSecondaryIndex
	var err error
	if gsi.IndexName, gsi.KeySchema, gsi.Projection, err = secondaryIndex(v); err != nil {
		return gsi, err
	}
	gsi.ProvisionedThroughput, err = provisionedThroughput(v.field("ProvisionedThroughput"))
	return gsi, err
}

func localSecondaryIndex(v value) (types.LocalSecondaryIndex, error) {
	var lsi types.LocalSecondaryIndex
	var err error
	lsi.IndexName, lsi.KeySchema, lsi.Projection, err = secondaryIndex(v)
	return lsi, err
}

func secondaryIndex(v value) (*string, []types.KeySchemaElement, *types.Projection, error) {
	if _, err := v.object(); err != nil {
		return nil, nil, nil, err
	}
	name, err := v.field("IndexName").str()
	if err != nil {
		return nil, nil, nil, err
	}
	keys, err := list(v.field("KeySchema"), true, keySchemaElement)
	if err != nil {
		return nil, nil, nil, err
	}
	p, err := v.field("Projection").object()
	if err != nil {
		return nil, nil, nil, err
	}
	projection := &types.Projection{}
	if pt := p.field("ProjectionType"); pt.present() {
		s, err := pt.oneOf("ALL", "KEYS_ONLY", "INCLUDE")
		if err != nil {
			return nil, nil, nil, err
		}
		projection.ProjectionType = types.ProjectionType(s)
	}
	if projection.NonKeyAttributes, err = list(p.field("NonKeyAttributes"), false, value.str); err != nil {
		return nil, nil, nil, err
	}
	return &name, keys, projection, nil
}

func provisionedThroughput(v value) (*types.ProvisionedThroughput, error) {
	if !v.present() {
		return nil, nil
	}
	if _, err := v.object(); err != nil {
		return nil, err
	}
	read, err := v.field("ReadCapacityUnits").int64()
	if err != nil {
		return nil, err
	}
	write, err := v.field("WriteCapacityUnits").int64()
	if err != nil {
		return nil, err
	}
	return &types.ProvisionedThroughput{ReadCapacityUnits: &read, WriteCapacityUnits: &write}, nil
}

// timeToLive returns the attribute TTL reads, or "" when TTL is off.
func timeToLive(v value) (string, error) {
	if !v.present() {
		return "", nil
	}
	if _, err := v.object(); err != nil {
		return "", err
	}
	on, err := v.field("Enabled").boolean()
	if err != nil || !on {
		return "", err
	}
	return v.field("AttributeName").str()
}

// list reads a list property, each element with elem. A missing optional
// list is nil, which leaves the API's field unset.
func list[T any](v value, required bool, elem func(value) (T, error)) ([]T, error) {
	if !v.present() && !required {
		return nil, nil
	}
	items, err := v.items()
	if err != nil {
		return nil, err
	}
	out := make([]T, 0, len(items))
	for _, item := range items {
		x, err := elem(item)
		if err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, nil
}

// value is one node of a resource, with the path that names it in errors:
// resources.Resources.ConnectionsTable.Properties.KeySchema[0].KeyType.
type value struct {
	path string
	v    any
	set  bool // false for a key that is absent
}

func (v value) present() bool { return v.set || v.v != nil }

func (v value) errorf(format string, args ...any) error {
	return fmt.Errorf("%s: %s", v.path, fmt.Sprintf(format, args...))
}

func (v value) field(key string) value {
	m, _ := v.v.(map[string]any)
	x, ok := m[key]
	return value{path: v.path + "." + key, v: x, set: ok}
}

func (v value) object() (value, error) {
	if _, ok := v.v.(map[string]any); ok && !isFunction(v.v) {
		return v, nil
	}
	return v, v.wrongType("a mapping")
}

func (v value) items() ([]value, error) {
	xs, ok := v.v.([]any)
	if !ok {
		return nil, v.wrongType("a list")
	}
	out := make([]value, len(xs))
	for i, x := range xs {
		out[i] = value{path: v.path + "[" + strconv.Itoa(i) + "]", v: x, set: true}
	}
	return out, nil
}

func (v value) str() (string, error) {
	switch x := v.v.(type) {
	case string:
		if x != "" {
			return x, nil
		}
		return "", v.errorf("is empty")
	case int, float64, bool:
		// CloudFormation takes scalars as strings, as YAML may have read
		// a name such as 2024 or true.
		return fmt.Sprint(x), nil
	}
	return "", v.wrongType("a string")
}

func (v value) oneOf(allowed ...string) (string, error) {
	s, err := v.str()
	if err != nil {
		return "", err
	}
	if !slices.Contains(allowed, s) {
		return "", v.errorf("%q is not one of %s", s, strings.Join(allowed, ", "))
	}
	return s, nil
}

func (v value) int64() (int64, error) {
	switch x := v.v.(type) {
	case int:
		return int64(x), nil
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
			return int64(x), nil
		}
	case string:
		// CloudFormation accepts numbers written as strings.
		if n, err := strconv.ParseInt(x, 10, 64); err == nil {
			return n, nil
		}
	}
	return 0, v.wrongType("a whole number")
}

func (v value) boolean() (bool, error) {
	switch x := v.v.(type) {
	case bool:
		return x, nil
	case string:
		// CloudFormation accepts "true" and "false" as booleans.
		if b, err := strconv.ParseBool(x); err == nil && (x == "true" || x == "false") {
			return b, nil
		}
	}
	return false, v.wrongType("true or false")
}

func (v value) wrongType(want string) error {
	if !v.present() {
		return v.errorf("required")
	}
	if fn := functionName(v.v); fn != "" {
		return v.errorf("%s is resolved only by CloudFormation; give %s here for a local table", fn, want)
	}
	return v.errorf("want %s, got %s", want, describe(v.v))
}

// functionName names the intrinsic function a value is, as in
// {"Fn::Sub": ...} or {"Ref": ...}, which only a deployment can resolve.
func functionName(x any) string {
	m, ok := x.(map[string]any)
	if !ok || len(m) != 1 {
		return ""
	}
	for k := range m {
		if k == "Ref" || k == "Condition" || strings.HasPrefix(k, "Fn::") {
			return k
		}
	}
	return ""
}

func isFunction(x any) bool { return functionName(x) != "" }

func describe(x any) string {
	switch x := x.(type) {
	case map[string]any:
		return "a mapping"
	case []any:
		return "a list"
	case string:
		return strconv.Quote(x)
	case nil:
		return "null"
	default:
		return fmt.Sprint(x)
	}
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
