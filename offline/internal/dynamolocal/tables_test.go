package dynamolocal

import (
	"context"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"gopkg.in/yaml.v3"
)

// loadResources reads resources.Resources from YAML written here, as a
// template's Resources once its intrinsic functions are resolved.
func loadResources(t *testing.T, yml string) map[string]any {
	t.Helper()
	var doc struct {
		Resources struct {
			Resources map[string]any `yaml:"Resources"`
		} `yaml:"resources"`
	}
	if err := yaml.Unmarshal([]byte(yml), &doc); err != nil {
		t.Fatal(err)
	}
	return doc.Resources.Resources
}

// createTables reads every AWS::DynamoDB::Table among resources, in the
// order of their logical ids, and makes them: a malformed definition makes
// nothing.
func createTables(ctx context.Context, endpoint string, resources map[string]any) (Report, error) {
	var tables []*Table
	for _, id := range slices.Sorted(maps.Keys(resources)) {
		resource, _ := resources[id].(map[string]any)
		if resource["Type"] != "AWS::DynamoDB::Table" {
			continue
		}
		props, _ := resource["Properties"].(map[string]any)
		table, err := ReadTable(id, props)
		if err != nil {
			return Report{}, err
		}
		tables = append(tables, table)
	}
	return CreateTables(ctx, endpoint, tables)
}

// connectionsYML declares a table shaped as the project's connections table.
const connectionsYML = `
service: svc
provider:
  name: aws
resources:
  Resources:
    ConnectionsTable:
      Type: AWS::DynamoDB::Table
      Properties:
        TableName: svc-local-connections
        BillingMode: PAY_PER_REQUEST
        AttributeDefinitions:
          - {AttributeName: connectionId, AttributeType: S}
          - {AttributeName: userName, AttributeType: S}
        KeySchema:
          - {AttributeName: connectionId, KeyType: HASH}
        GlobalSecondaryIndexes:
          - IndexName: byUser
            KeySchema:
              - {AttributeName: userName, KeyType: HASH}
            Projection: {ProjectionType: KEYS_ONLY}
        TimeToLiveSpecification: {AttributeName: expiresAt, Enabled: true}
`

func describeTable(t *testing.T, c *dynamodb.Client, name string) *types.TableDescription {
	t.Helper()
	out, err := c.DescribeTable(t.Context(), &dynamodb.DescribeTableInput{TableName: &name})
	if err != nil {
		t.Fatalf("DescribeTable %s: %v", name, err)
	}
	return out.Table
}

// TestCreateTablesConnections makes a table shaped as the project's
// connections table, as `make offline` does, and checks it against its
// definition.
func TestCreateTablesConnections(t *testing.T) {
	resources := loadResources(t, connectionsYML)
	s := startServer(t, "")
	c := newClient(s.Endpoint())

	report, err := createTables(t.Context(), s.Endpoint(), resources)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("report: %q", report)

	// The functions keep their connections here; they need its key and index.
	name := "svc-local-connections"
	if want := "created " + name + " (key connectionId; index byUser (userName))"; !slices.Contains(report.Tables, want) {
		t.Errorf("Tables = %q, want %q", report.Tables, want)
	}
	table := describeTable(t, c, name)
	if got := keyNames(table.KeySchema); got != "connectionId" {
		t.Errorf("key = %q, want connectionId", got)
	}
	if len(table.GlobalSecondaryIndexes) != 1 {
		t.Fatalf("global indexes = %d, want byUser only", len(table.GlobalSecondaryIndexes))
	}
	gsi := table.GlobalSecondaryIndexes[0]
	if aws.ToString(gsi.IndexName) != "byUser" || keyNames(gsi.KeySchema) != "userName" ||
		gsi.Projection.ProjectionType != types.ProjectionTypeKeysOnly || gsi.IndexStatus != types.IndexStatusActive {
		t.Errorf("index = %s on %s, %s, %s; want byUser on userName, KEYS_ONLY, ACTIVE",
			aws.ToString(gsi.IndexName), keyNames(gsi.KeySchema), gsi.Projection.ProjectionType, gsi.IndexStatus)
	}
	if table.BillingModeSummary == nil || table.BillingModeSummary.BillingMode != types.BillingModePayPerRequest {
		t.Errorf("billing mode = %+v, want PAY_PER_REQUEST", table.BillingModeSummary)
	}
	// dynalite has no TTL: the file's TTL must come back as a warning.
	ttlWarning := "ConnectionsTable.Properties.TimeToLiveSpecification: this local DynamoDB (dynalite) has no Time to Live"
	if !slices.ContainsFunc(report.Warnings, func(w string) bool { return strings.HasPrefix(w, ttlWarning) }) {
		t.Errorf("Warnings = %q, want one beginning %q", report.Warnings, ttlWarning)
	}

	// Every table resource in the file is there, with the keys it declares.
	tables := 0
	for id, r := range resources {
		r, _ := r.(map[string]any)
		if r["Type"] != "AWS::DynamoDB::Table" {
			continue
		}
		tables++
		props := r["Properties"].(map[string]any)
		table := describeTable(t, c, props["TableName"].(string))
		for _, k := range props["KeySchema"].([]any) {
			k := k.(map[string]any)
			if !slices.ContainsFunc(table.KeySchema, func(e types.KeySchemaElement) bool {
				return aws.ToString(e.AttributeName) == k["AttributeName"] && string(e.KeyType) == k["KeyType"]
			}) {
				t.Errorf("%s: key %v missing from %s", id, k, props["TableName"])
			}
		}
	}
	if len(report.Tables) != tables {
		t.Errorf("Tables has %d lines for %d table resources", len(report.Tables), tables)
	}

	// A second run, as a restart on the same data, keeps every table.
	again, err := createTables(t.Context(), s.Endpoint(), resources)
	if err != nil {
		t.Fatalf("second CreateTables: %v", err)
	}
	for i, line := range again.Tables {
		if want := "kept " + strings.TrimPrefix(report.Tables[i], "created "); line != want {
			t.Errorf("second run: %q, want %q", line, want)
		}
	}
	if !slices.Equal(again.Warnings, report.Warnings) {
		t.Errorf("second run warns %q, want %q as the first", again.Warnings, report.Warnings)
	}
}

// TestCreateTablesShapes makes tables of every shape CreateTables reads and
// checks what DynamoDB then describes.
func TestCreateTablesShapes(t *testing.T) {
	s := startServer(t, "")
	c := newClient(s.Endpoint())
	tests := []struct {
		name      string
		resources string // under resources.Resources
		table     string
		line      string // Report.Tables[0]
		warning   string // a prefix of Report.Warnings[0]; "" for none
		check     func(t *testing.T, d *types.TableDescription)
	}{
		{
			name: "provisioned, sort key, local and global index",
			resources: `
    Messages:
      Type: AWS::DynamoDB::Table
      Properties:
        TableName: messages
        AttributeDefinitions:
          - {AttributeName: room, AttributeType: S}
          - {AttributeName: sentAt, AttributeType: N}
          - {AttributeName: author, AttributeType: S}
        KeySchema:
          - {AttributeName: room, KeyType: HASH}
          - {AttributeName: sentAt, KeyType: RANGE}
        ProvisionedThroughput: {ReadCapacityUnits: 5, WriteCapacityUnits: "3"}
        LocalSecondaryIndexes:
          - IndexName: byAuthorInRoom
            KeySchema:
              - {AttributeName: room, KeyType: HASH}
              - {AttributeName: author, KeyType: RANGE}
            Projection: {ProjectionType: ALL}
        GlobalSecondaryIndexes:
          - IndexName: byAuthor
            KeySchema:
              - {AttributeName: author, KeyType: HASH}
              - {AttributeName: sentAt, KeyType: RANGE}
            Projection: {ProjectionType: INCLUDE, NonKeyAttributes: [text]}
            ProvisionedThroughput: {ReadCapacityUnits: 2, WriteCapacityUnits: 2}
`,
			table: "messages",
			line:  "created messages (key room, sentAt; index byAuthor (author, sentAt); index byAuthorInRoom (room, author))",
			check: func(t *testing.T, d *types.TableDescription) {
				if pt := d.ProvisionedThroughput; aws.ToInt64(pt.ReadCapacityUnits) != 5 || aws.ToInt64(pt.WriteCapacityUnits) != 3 {
					t.Errorf("throughput = %d/%d, want 5/3", aws.ToInt64(pt.ReadCapacityUnits), aws.ToInt64(pt.WriteCapacityUnits))
				}
				if len(d.LocalSecondaryIndexes) != 1 || d.LocalSecondaryIndexes[0].Projection.ProjectionType != types.ProjectionTypeAll {
					t.Errorf("local indexes = %+v, want byAuthorInRoom projecting ALL", d.LocalSecondaryIndexes)
				}
				if p := d.GlobalSecondaryIndexes[0].Projection; p.ProjectionType != types.ProjectionTypeInclude || !slices.Equal(p.NonKeyAttributes, []string{"text"}) {
					t.Errorf("byAuthor projects %s %v, want INCLUDE [text]", p.ProjectionType, p.NonKeyAttributes)
				}
			},
		},
		{
			name: "no TableName, a stream, TTL off",
			resources: `
    Events:
      Type: AWS::DynamoDB::Table
      Properties:
        BillingMode: PAY_PER_REQUEST
        AttributeDefinitions: [{AttributeName: id, AttributeType: B}]
        KeySchema: [{AttributeName: id, KeyType: HASH}]
        StreamSpecification: {StreamViewType: NEW_IMAGE}
        TimeToLiveSpecification: {AttributeName: expiresAt, Enabled: false}
`,
			table:   "Events",
			line:    "created Events (key id)",
			warning: "Events.Properties.StreamSpecification: dynalite has no streams",
			check: func(t *testing.T, d *types.TableDescription) {
				if d.AttributeDefinitions[0].AttributeType != types.ScalarAttributeTypeB {
					t.Errorf("id is %s, want B", d.AttributeDefinitions[0].AttributeType)
				}
			},
		},
		{
			name: "other resources are left alone",
			resources: `
    Topic:
      Type: AWS::SNS::Topic
    Global:
      Type: AWS::DynamoDB::GlobalTable
      Properties: {TableName: global}
`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resources := loadResources(t, "service: svc\nprovider:\n  name: aws\nresources:\n  Resources:"+tt.resources)
			report, err := createTables(t.Context(), s.Endpoint(), resources)
			if err != nil {
				t.Fatal(err)
			}
			if tt.line != "" && !slices.Equal(report.Tables, []string{tt.line}) {
				t.Errorf("Tables = %q, want [%q]", report.Tables, tt.line)
			}
			if tt.line == "" && len(report.Tables) != 0 {
				t.Errorf("Tables = %q, want none", report.Tables)
			}
			if tt.warning != "" && !slices.ContainsFunc(report.Warnings, func(w string) bool { return strings.HasPrefix(w, tt.warning) }) {
				t.Errorf("Warnings = %q, want one beginning %q", report.Warnings, tt.warning)
			}
			if tt.check != nil {
				tt.check(t, describeTable(t, c, tt.table))
			}
		})
	}
}

// TestCreateTablesRejectsMalformed expects every malformed definition to be
// named by its path, and no table to be made when one is malformed.
func TestCreateTablesRejectsMalformed(t *testing.T) {
	s := startServer(t, "")
	tests := []struct {
		name  string
		props map[string]any
		want  string
	}{
		{"no Properties", nil, "Bad.Properties: required"},
		{"no KeySchema", props(without("KeySchema")), "Bad: create table bad: ValidationException: 1 validation error detected: Value null at 'keySchema'"},
		{"no AttributeDefinitions", props(without("AttributeDefinitions")), "Bad: create table bad: ValidationException: 1 validation error detected: Value null at 'attributeDefinitions'"},
		{"KeySchema not a list", props(with("KeySchema", map[string]any{"AttributeName": "id"})), "Bad.Properties.KeySchema: want []types.KeySchemaElement, got object"},
		{"unknown KeyType", props(with("KeySchema", []any{map[string]any{"AttributeName": "id", "KeyType": "PRIMARY"}})),
			`Bad: create table bad: ValidationException: 1 validation error detected: Value 'PRIMARY' at 'keySchema.1.member.keyType'`},
		{"AttributeType a number", props(with("AttributeDefinitions", []any{map[string]any{"AttributeName": "id", "AttributeType": 5}})),
			"Bad.Properties.AttributeDefinitions.AttributeType: want types.ScalarAttributeType, got number"},
		{"TableName a mapping", props(with("TableName", map[string]any{"Fn::Sub": "${AWS::StackName}-t"})),
			"Bad.Properties.TableName: want string, got object"},
		{"index without Projection", props(with("GlobalSecondaryIndexes", []any{map[string]any{"IndexName": "byX", "KeySchema": []any{map[string]any{"AttributeName": "id", "KeyType": "HASH"}}}})),
			"Bad: create table bad: operation error DynamoDB: CreateTable, 1 validation error(s) found.\n- missing required field, CreateTableInput.GlobalSecondaryIndexes[0].Projection."},
		{"capacity not a number", props(with("BillingMode", "PROVISIONED"), with("ProvisionedThroughput", map[string]any{"ReadCapacityUnits": "many", "WriteCapacityUnits": 1})),
			"Bad.Properties.ProvisionedThroughput.ReadCapacityUnits: want int64, got string"},
		{"TTL Enabled not a boolean", props(with("TimeToLiveSpecification", map[string]any{"AttributeName": "exp", "Enabled": "yes"})),
			"Bad.Properties.TimeToLiveSpecification: want Enabled true or false, got yes"},
		{"TTL without AttributeName", props(with("TimeToLiveSpecification", map[string]any{"Enabled": true})),
			"Bad.Properties.TimeToLiveSpecification: no AttributeName, which Enabled needs"},
		{"unknown property", props(with("Colour", "red")), "Bad.Properties: Colour is not a property of AWS::DynamoDB::Table"},
		{"unknown BillingMode", props(with("BillingMode", "ON_DEMAND")), `Bad: create table bad: ValidationException: 1 validation error detected: Value 'ON_DEMAND' at 'billingMode'`},
		// Shapes are checked by decoding; what DynamoDB validates, it reports.
		{"key without definition", props(with("KeySchema", []any{map[string]any{"AttributeName": "other", "KeyType": "HASH"}})),
			"Bad: create table bad: ValidationException: One or more parameter values were invalid: Some index key attributes are not defined"},
		{"provisioned without capacity", props(without("BillingMode")),
			"Bad: create table bad: ValidationException: One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits must both be specified"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bad := map[string]any{"Type": "AWS::DynamoDB::Table"}
			if tt.props != nil {
				bad["Properties"] = tt.props
			}
			resources := map[string]any{
				"Bad": bad,
				// Read first, made last: it must not be made when Bad is malformed.
				"ZGood": map[string]any{"Type": "AWS::DynamoDB::Table", "Properties": props(with("TableName", "good"))},
			}
			_, err := createTables(t.Context(), s.Endpoint(), resources)
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("CreateTables: %v\nwant an error beginning %s", err, tt.want)
			}
		})
	}
	out, err := newClient(s.Endpoint()).ListTables(t.Context(), &dynamodb.ListTablesInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.TableNames) != 0 {
		t.Errorf("tables %v were made from definitions with errors", out.TableNames)
	}
}

// props is a valid table definition changed by edits.
func props(edits ...func(map[string]any)) map[string]any {
	p := map[string]any{
		"TableName":            "bad",
		"BillingMode":          "PAY_PER_REQUEST",
		"AttributeDefinitions": []any{map[string]any{"AttributeName": "id", "AttributeType": "S"}},
		"KeySchema":            []any{map[string]any{"AttributeName": "id", "KeyType": "HASH"}},
	}
	for _, edit := range edits {
		edit(p)
	}
	return p
}

func with(key string, v any) func(map[string]any) { return func(p map[string]any) { p[key] = v } }
func without(key string) func(map[string]any)     { return func(p map[string]any) { delete(p, key) } }

// TestDataDirKeepsItems restarts dynalite on the same data directory and
// expects the table and its items to be there.
func TestDataDirKeepsItems(t *testing.T) {
	dir := t.TempDir()
	resources := loadResources(t, connectionsYML)
	table := "svc-local-connections"
	item := map[string]types.AttributeValue{
		"connectionId": &types.AttributeValueMemberS{Value: "abc="},
		"userName":     &types.AttributeValueMemberS{Value: "ann"},
	}

	first := startServer(t, dir)
	report, err := createTables(t.Context(), first.Endpoint(), resources)
	if err != nil {
		t.Fatal(err)
	}
	if len(report.Tables) != 1 || !strings.HasPrefix(report.Tables[0], "created "+table) {
		t.Fatalf("first run: %q, want %s created", report.Tables, table)
	}
	if _, err := newClient(first.Endpoint()).PutItem(t.Context(), &dynamodb.PutItemInput{TableName: &table, Item: item}); err != nil {
		t.Fatal(err)
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}

	second := startServer(t, dir)
	report, err = createTables(t.Context(), second.Endpoint(), resources)
	if err != nil {
		t.Fatal(err)
	}
	if want := "kept " + table + " (key connectionId; index byUser (userName))"; !slices.Equal(report.Tables, []string{want}) {
		t.Errorf("second run: %q, want [%q]", report.Tables, want)
	}
	got, err := newClient(second.Endpoint()).GetItem(t.Context(), &dynamodb.GetItemInput{
		TableName: &table,
		Key:       map[string]types.AttributeValue{"connectionId": item["connectionId"]},
	})
	if err != nil {
		t.Fatal(err)
	}
	if user, _ := got.Item["userName"].(*types.AttributeValueMemberS); user == nil || user.Value != "ann" {
		t.Errorf("after a restart the item is %v, want userName ann", got.Item)
	}

	// A table kept from an earlier definition is kept, with a warning.
	changed := strings.Replace(connectionsYML, "IndexName: byUser", "IndexName: byName", 1)
	report, err = createTables(t.Context(), second.Endpoint(), loadResources(t, changed))
	if err != nil {
		t.Fatal(err)
	}
	want := "ConnectionsTable: the table " + table + " kept from an earlier run has key connectionId; index byUser (userName), not key connectionId; index byName (userName)"
	if !slices.ContainsFunc(report.Warnings, func(w string) bool { return strings.HasPrefix(w, want) }) {
		t.Errorf("Warnings = %q, want one beginning %q", report.Warnings, want)
	}
}

// TestIndexQueryPages records what the connection registry relies on
// dynalite for: a Query on a KEYS_ONLY global index, a page at a time.
func TestIndexQueryPages(t *testing.T) {
	s := startServer(t, "")
	if _, err := createTables(t.Context(), s.Endpoint(), loadResources(t, connectionsYML)); err != nil {
		t.Fatal(err)
	}
	c := newClient(s.Endpoint())
	table := "svc-local-connections"
	for i, user := range []string{"ann", "bob", "ann", "ann", "bob", "ann", "ann"} {
		_, err := c.PutItem(t.Context(), &dynamodb.PutItemInput{TableName: &table, Item: map[string]types.AttributeValue{
			"connectionId": &types.AttributeValueMemberS{Value: string(rune('a'+i)) + "="},
			"userName":     &types.AttributeValueMemberS{Value: user},
			"expiresAt":    &types.AttributeValueMemberN{Value: "1700000000"},
		}})
		if err != nil {
			t.Fatal(err)
		}
	}

	var pages []int
	seen := map[string]bool{}
	p := dynamodb.NewQueryPaginator(c, &dynamodb.QueryInput{
		TableName:                 &table,
		IndexName:                 aws.String("byUser"),
		KeyConditionExpression:    aws.String("userName = :u"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":u": &types.AttributeValueMemberS{Value: "ann"}},
		Limit:                     aws.Int32(2),
	})
	for p.HasMorePages() {
		page, err := p.NextPage(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		pages = append(pages, len(page.Items))
		for _, item := range page.Items {
			if _, ok := item["expiresAt"]; ok {
				t.Errorf("KEYS_ONLY index returned expiresAt: %v", item)
			}
			seen[item["connectionId"].(*types.AttributeValueMemberS).Value] = true
		}
	}
	// DynamoDB ends a page at Limit and says there may be more, so five
	// items in pages of two take three pages.
	if !slices.Equal(pages, []int{2, 2, 1}) || len(seen) != 5 {
		t.Errorf("pages of %v holding %d connections, want [2 2 1] holding 5", pages, len(seen))
	}
}
