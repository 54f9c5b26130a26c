package watch

import "testing"

func TestIgnored(t *testing.T) {
	tests := []struct {
		rel   string
		isDir bool
		want  bool
	}{
		{"hello/handler.go", false, false},
		{"go.work", false, false},
		{"serverless.yml", false, false},
		{"shared/logging", true, false},
		{"hello/.handler.go.swp", false, true},
		{"hello/handler.go.swx", false, true},
		{"hello/handler.go~", false, true},
		{"hello/.#handler.go", false, true},
		{"hello/#handler.go#", false, true},
		{"hello/4913", false, true},
		{"hello/handler.go.tmp", false, true},
		{"hello/handler.go___jb_tmp___", false, true},
		{".offline", true, true},
		{".offline/bin/hello/bootstrap", false, true},
		{"bin", true, true},
		{"bin/hello.zip", false, true},
		{"tools/bin", true, false}, // only the deployment zips' bin/ at the root
		{"node_modules", true, true},
		{"node_modules/osls/package.json", false, true},
		{"tools/node_modules/x/y.go", false, true},
		{".serverless/cloudformation-template-update-stack.json", false, true},
		{".git/index", false, true},
		{".vscode", true, true},
		{"hello/testdata/x.go", false, false},
	}
	for _, tt := range tests {
		if got := ignored(tt.rel, tt.isDir); got != tt.want {
			t.Errorf("ignored(%q, dir=%v) = %v, want %v", tt.rel, tt.isDir, got, tt.want)
		}
	}
}
