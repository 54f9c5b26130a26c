package dynamolocal

import (
	"reflect"
	"strings"
	"testing"

	"wsapi/offline/internal/cloudformation"
	"wsapi/offline/internal/cloudformation/cloudformationtest"
)

func TestReadTables(t *testing.T) {
	tests := []struct {
		name    string
		edits   map[string]any
		tables  []TableResource
		warning string // the one warning, "" for none
	}{
		{"as written", nil, []TableResource{{LogicalID: "Table", Properties: map[string]any{"TableName": "t"}}}, ""},
		{"a global table", map[string]any{"Global": map[string]any{"Type": "AWS::DynamoDB::GlobalTable", "Properties": map[string]any{"TableName": "global"}}},
			[]TableResource{{LogicalID: "Table", Properties: map[string]any{"TableName": "t"}}},
			"Global: AWS::DynamoDB::GlobalTable is not made locally; only AWS::DynamoDB::Table is"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts, _ := cloudformationtest.Options(t)
			tpl, err := cloudformation.Load([]byte(cloudformationtest.WebSocketAPI(tt.edits)), opts)
			if err != nil {
				t.Fatal(err)
			}
			if tables := ReadTables(tpl); !reflect.DeepEqual(tables, tt.tables) {
				t.Errorf("tables %+v, want %+v", tables, tt.tables)
			}
			switch warnings := tpl.Warnings(); {
			case tt.warning == "" && len(warnings) != 0:
				t.Errorf("warnings %q, want none", warnings)
			case tt.warning != "" && (len(warnings) != 1 || !strings.HasPrefix(warnings[0], tt.warning)):
				t.Errorf("warnings %q, want one beginning %q", warnings, tt.warning)
			}
		})
	}
}
